/**
 * `npm run test:stream`: the dead-letter tests of the security events, on a local stack of their own. They
 * hold the stack's one ordered stream on purpose (EventBridge and SQS refusing) and wait for it to recover;
 * in the full run every other file's events and faults share that stream, which sometimes held it past their
 * wait. `npm test` runs them before the full run, whose recording the least-privilege proof then reads.
 */
import base from './jest.config.js';

const security = base.projects.find((project) => project.displayName === 'security');

export default {
  testTimeout: base.testTimeout,
  ...security,
  displayName: 'security (stream)',
  testMatch: ['<rootDir>/test/security/security-events-dead-letters.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
