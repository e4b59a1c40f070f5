/**
 * Jest runs the TypeScript sources as ES modules (the service is ESM: middy ships only ESM).
 * Three projects: unit (pure domain, local stand-ins), infra (CDK template assertions) and integration
 * (real HTTP against the local stack, which the integration project's global setup starts and stops).
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      // Tests wait for a fresh TOTP step now and then (see awayFromStepBoundary), so allow for it.
      testTimeout: 60_000,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
