/**
 * `npm run test:browser`: the reference portal in Debian's Chromium (playwright-core), against the local
 * stack that Jest's global setup starts (the same `startLocalStack` as `npm start`). Kept out of the default
 * `jest` run: it needs a browser and takes about a minute. The files run one at a time, so the TOTP steps
 * they wait for are not stretched by a second browser on a small machine.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  displayName: 'browser',
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 1,
  verbose: true,
  testTimeout: 120_000,
};
