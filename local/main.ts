import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startLocalStack } from './stack.js';

// The SDK warns that it will need Node 22 from 2027; Lambda runs 22 already, and on a developer's
// Node 20 the warning only buries this tool's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm start`: the whole service on this machine, no AWS account and no Docker.
 *
 * PORT (3000), LAMBDA_PORT (3001), HOST (127.0.0.1), DATA_DIR (unset: in memory), DEMO_ADMIN_PASSWORD
 * (unset: generated and printed), MAIL_DIR (unset: DATA_DIR/mail, or a new folder under the OS temp dir). STACK_INFO_FILE, when set, receives the endpoints as JSON once ready
 * (the test suite uses it).
 */
async function main(): Promise<void> {
  const env = process.env;
  const stack = await startLocalStack({
    port: Number(env.PORT ?? 3000),
    lambdaPort: Number(env.LAMBDA_PORT ?? 3001),
    host: env.HOST ?? '127.0.0.1',
    dataDir: env.DATA_DIR ? resolve(env.DATA_DIR) : undefined,
    demoAdminPassword: env.DEMO_ADMIN_PASSWORD || undefined,
    mailDir: env.MAIL_DIR ? resolve(env.MAIL_DIR) : undefined,
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown());

  const { demo } = stack;
  const password = demo.created
    ? env.DEMO_ADMIN_PASSWORD
      ? '(DEMO_ADMIN_PASSWORD)'
      : `${demo.adminPassword} (generated; set DEMO_ADMIN_PASSWORD to choose it)`
    : '(unchanged: kept from the data folder)';
  console.log(
    [
      `2FA service listening on ${stack.url}  (health: ${stack.url}/v1/health)`,
      `  reference portal ${stack.url}/  (OpenAPI: ${stack.url}/v1/openapi.json)`,
      `  demo app "${demo.appId}" (Demo Portal, enterprise): admin ${demo.adminEmail}, password ${password}`,
      `  platform functions (Lambda Invoke API): ${stack.lambdaUrl}  ->  npm run cli -- --help`,
      `  DynamoDB Local ${stack.dynamoDbEndpoint}, KMS stand-in ${stack.kmsEndpoint}; data ${env.DATA_DIR ? `in ${resolve(env.DATA_DIR)}` : 'in memory'}`,
      '  security events are printed below as they are published (event <type> {…})',
      `  security emails go to ${stack.mailDir} (.txt, .html, .json each), one line below per email (mail to …)`,
      `  events EventBridge refuses are kept in ${stack.deadLetterQueueUrl} (npm run cli -- redrive-events --queue-url …)`,
      '  Ctrl-C stops everything.',
    ].join('\n'),
  );
  if (env.STACK_INFO_FILE) {
    // JSON leaves out `stop`, a function: the file gets the endpoints and the demo app.
    writeFileSync(env.STACK_INFO_FILE, JSON.stringify(stack), { mode: 0o600 });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
