import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The password the seeded demo admin gets in the test stack. */
export const testDemoAdminPassword = 'demo-admin-password-for-tests';

/**
 * Starts the local stack as `npm start` does (DynamoDB Local, the KMS stand-in, the API on a free port),
 * with the tests' fault switch in front of DynamoDB and KMS, in a child process, and hands its endpoints
 * to the tests through the environment.
 */
export default async function globalSetup(): Promise<void> {
  // The integration and security projects share one stack: Jest calls this once per project, in one process.
  const running = (globalThis as { __twoFactorStack?: { child: ChildProcess; users: number } }).__twoFactorStack;
  if (running) {
    running.users += 1;
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'two-factor-test-'));
  const infoFile = join(folder, 'stack.json');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/stack-process.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', LAMBDA_PORT: '0', STACK_INFO_FILE: infoFile, DEMO_ADMIN_PASSWORD: testDemoAdminPassword, DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  (globalThis as { __twoFactorStack?: { child: ChildProcess; users: number } }).__twoFactorStack = { child, users: 1 };

  const deadline = Date.now() + 90_000;
  while (!existsSync(infoFile)) {
    if (child.exitCode !== null) throw new Error(`the local stack exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the local stack did not start within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string; lambdaUrl: string; dynamoDbEndpoint: string; tableName: string; faultControlUrl: string; eventsUrl: string };
  Object.assign(process.env, {
    TWOFA_API_URL: info.url,
    TWOFA_LAMBDA_URL: info.lambdaUrl,
    TWOFA_DYNAMODB_ENDPOINT: info.dynamoDbEndpoint,
    TWOFA_TABLE_NAME: info.tableName,
    TWOFA_DEMO_ADMIN_PASSWORD: testDemoAdminPassword,
    TWOFA_FAULT_CONTROL_URL: info.faultControlUrl,
    TWOFA_EVENTS_URL: info.eventsUrl,
  });
}
