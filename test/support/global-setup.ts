import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The password the seeded demo admin gets in the test stack. */
export const testDemoAdminPassword = 'demo-admin-password-for-tests';

/** What the setup hands the teardown of the last project (Jest runs both in its main process). */
export interface SharedStack {
  child: ChildProcess;
  users: number;
  /** The test run's temp folder: stack info, the ledger of sensitive values, the stack's log, the mail folder. */
  folder: string;
  sensitiveValuesFile: string;
  /** The stack's stdout and stderr, each to its own file so that no line is cut by the other. */
  logs: { file: string; stream: WriteStream }[];
}

/**
 * Starts the local stack as `npm start` does (DynamoDB Local, the KMS stand-in, the API on a free port),
 * with the tests' fault switch in front of DynamoDB and KMS, in a child process, and hands its endpoints
 * to the tests through the environment.
 */
export default async function globalSetup(): Promise<void> {
  // The integration and security projects share one stack: Jest calls this once per project, in one process.
  const running = (globalThis as { __twoFactorStack?: SharedStack }).__twoFactorStack;
  if (running) {
    running.users += 1;
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'two-factor-test-'));
  const infoFile = join(folder, 'stack.json');
  // Every sensitive value the tests send or receive (see leak-scan.ts), and everything the stack prints,
  // for the teardown's "nothing leaks" scan. DEBUG, so that whatever the handlers log at any level is scanned.
  const sensitiveValuesFile = join(folder, 'sensitive-values.jsonl');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/stack-process.ts'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: '0',
      LAMBDA_PORT: '0',
      STACK_INFO_FILE: infoFile,
      DEMO_ADMIN_PASSWORD: testDemoAdminPassword,
      DATA_DIR: '',
      MAIL_DIR: join(folder, 'mail'),
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: SharedStack['logs'] = [];
  let output = '';
  for (const [name, source] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    const file = join(folder, `stack.${name}.log`);
    const stream = createWriteStream(file, { mode: 0o600 });
    logs.push({ file, stream });
    source?.on('data', (chunk: Buffer) => {
      stream.write(chunk);
      if (output.length < 100_000) output += chunk.toString();
    });
  }
  child.once('exit', (code, signal) => logs[1]!.stream.write(`[test support] the stack process exited: code ${code}, signal ${signal}\n`));
  (globalThis as { __twoFactorStack?: SharedStack }).__twoFactorStack = { child, users: 1, folder, sensitiveValuesFile, logs };

  const deadline = Date.now() + 90_000;
  while (!existsSync(infoFile)) {
    if (child.exitCode !== null) throw new Error(`the local stack exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the local stack did not start within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as {
    url: string;
    lambdaUrl: string;
    dynamoDbEndpoint: string;
    tableName: string;
    faultControlUrl: string;
    workMeterUrl: string;
    eventsUrl: string;
    mailDir: string;
    deadLettersUrl: string;
    deadLetterQueueUrl: string;
    deadlineControlUrl: string;
  };
  Object.assign(process.env, {
    TWOFA_API_URL: info.url,
    TWOFA_LAMBDA_URL: info.lambdaUrl,
    TWOFA_DYNAMODB_ENDPOINT: info.dynamoDbEndpoint,
    TWOFA_TABLE_NAME: info.tableName,
    TWOFA_DEMO_ADMIN_PASSWORD: testDemoAdminPassword,
    TWOFA_FAULT_CONTROL_URL: info.faultControlUrl,
    TWOFA_WORK_METER_URL: info.workMeterUrl,
    TWOFA_EVENTS_URL: info.eventsUrl,
    // Every email the notifier sent, as the SES stand-in wrote it (test/support/mail.ts reads it).
    TWOFA_MAIL_DIR: info.mailDir,
    TWOFA_DEAD_LETTERS_URL: info.deadLettersUrl,
    TWOFA_DEAD_LETTER_QUEUE_URL: info.deadLetterQueueUrl,
    TWOFA_DEADLINE_CONTROL_URL: info.deadlineControlUrl,
    // leak-scan.ts's sensitiveValuesFileVariable (Jest loads this file outside its module mapping, so it
    // imports no test module).
    TWOFA_SENSITIVE_VALUES_FILE: sensitiveValuesFile,
    TWOFA_STACK_LOG_FILES: logs.map((log) => log.file).join(delimiter),
  });
}
