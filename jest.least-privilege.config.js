/**
 * `npm run test:least-privilege`: evaluates the AWS calls the functions made during the last run of the
 * integration and security suites against the synthesized IAM policies (docs/SECURITY.md). Kept out of the
 * default `jest` run, whose projects run side by side: this one needs their recording complete. `npm test`
 * runs it right after them.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  displayName: 'least-privilege',
  testMatch: ['<rootDir>/test/least-privilege/**/*.test.ts'],
  testTimeout: 60_000,
};
