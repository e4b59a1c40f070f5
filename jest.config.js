/**
 * Jest runs the TypeScript sources as ES modules (the service is ESM: middy ships only ESM).
 * Four projects: unit (pure domain, local stand-ins), infra (CDK template assertions), integration
 * (real HTTP against the local stack, which the global setup starts and stops) and security (the
 * adversarial suite of docs/SECURITY.md, against the same stack).
 */
import process from 'node:process';

// The SDK warns on Node 20 that it will need Node 22 from 2027; Lambda runs 22, and here it buries test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

/** Both HTTP projects share one local stack: the setup starts it once, the last teardown stops it. */
const againstTheLocalStack = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

export default {
  // Integration tests wait for a fresh TOTP step now and then (see awayFromStepBoundary); the infra
  // tests bundle twenty functions. Jest reads this option globally, not per project.
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], ...againstTheLocalStack },
    {
      ...shared,
      displayName: 'security',
      testMatch: ['<rootDir>/test/security/**/*.test.ts'],
      // On a stack of their own: jest.stream.config.js (`npm run test:stream`, part of `npm test`).
      testPathIgnorePatterns: ['/node_modules/', '/test/security/security-events-dead-letters\\.test\\.ts$'],
      ...againstTheLocalStack,
    },
  ],
};
