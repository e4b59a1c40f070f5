import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { platformSteps } from '../functions/routes.js';
import { redriveEvents } from './redrive-events.js';

// The SDK warns that it will need Node 22 from 2027; Lambda runs 22 already, and on a developer's
// Node 20 the warning only buries this tool's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage = `Platform commands over the service's Lambda functions (no public route).

  npm run cli -- create-app --name "Acme Portal" --plan business --admin-email admin@acme.test --admin-password '…'  [--origin https://portal.acme.test]
  npm run cli -- set-plan --app-id <appId> --plan enterprise
  npm run cli -- set-allowed-origins --app-id <appId> --origin https://portal.acme.test [--origin …]   (none: no browser origin)
  npm run cli -- reset-two-factor --app-id <appId> --user-id <userId> --reason "lost phone" --actor you@example.com
  npm run cli -- redrive-events --queue-url <url>   puts the security events kept in the dead-letter queue back on their bus
                    (AWS credentials and region from the environment; AWS_ENDPOINT_URL_SQS/_EVENTBRIDGE for the local stack)

Target (default: the local stack of \`npm start\`):
  --local <url>     Lambda Invoke endpoint of the local stack (default http://127.0.0.1:3001, or LAMBDA_URL)
  --stack <name>    a deployed stack: function names come from its outputs (e.g. TwoFactor-dev-Api);
                    credentials and region come from the usual AWS environment/profile
`;

type Command = 'create-app' | 'set-plan' | 'set-allowed-origins' | 'reset-two-factor';
const functionOf: Record<Command, (typeof platformSteps)[number]['functionName']> = {
  'create-app': 'createApp',
  'set-plan': 'setPlan',
  'set-allowed-origins': 'setAllowedOrigins',
  'reset-two-factor': 'resetTwoFactor',
};

function payloadOf(
  command: Command,
  values: Record<string, string | string[] | boolean | undefined>,
): Record<string, string | string[] | boolean | undefined> {
  switch (command) {
    case 'create-app':
      return {
        name: values.name,
        plan: values.plan,
        adminEmail: values['admin-email'],
        adminPassword: values['admin-password'],
        allowedOrigins: values.origin,
      };
    case 'set-allowed-origins':
      return { appId: values['app-id'], allowedOrigins: values.origin ?? [], actor: values.actor };
    case 'set-plan':
      return { appId: values['app-id'], plan: values.plan, actor: values.actor };
    case 'reset-two-factor':
      return { appId: values['app-id'], userId: values['user-id'], reason: values.reason, actor: values.actor };
  }
}

/** Function name of `functionName` in a deployed stack, from the outputs the API stack exports. */
async function deployedFunctionName(stackName: string, functionName: string): Promise<string> {
  const cloudFormation = new CloudFormationClient({});
  const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputKey = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}FunctionName`;
  const output = described.Stacks?.[0]?.Outputs?.find((candidate) => candidate.OutputKey === outputKey);
  if (!output?.OutputValue) throw new Error(`stack ${stackName} has no output ${outputKey}`);
  return output.OutputValue;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      plan: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'app-id': { type: 'string' },
      'user-id': { type: 'string' },
      reason: { type: 'string' },
      actor: { type: 'string' },
      origin: { type: 'string', multiple: true },
      local: { type: 'string' },
      stack: { type: 'string' },
      'queue-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals[0] === 'redrive-events' && !values.help) {
    if (!values['queue-url']) {
      console.error(usage);
      return 2;
    }
    console.log(JSON.stringify(await redriveEvents(values['queue-url']), null, 2));
    return 0;
  }
  const command = positionals[0] as Command | undefined;
  if (values.help || !command || !(command in functionOf)) {
    (values.help ? console.log : console.error)(usage);
    return values.help ? 0 : 2;
  }
  const functionName = functionOf[command];
  const lambda = values.stack
    ? new LambdaClient({})
    : new LambdaClient({
        endpoint: values.local ?? process.env.LAMBDA_URL ?? 'http://127.0.0.1:3001',
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
  const target = values.stack ? await deployedFunctionName(values.stack, functionName) : functionName;
  const response = await lambda.send(
    new InvokeCommand({ FunctionName: target, Payload: Buffer.from(JSON.stringify(payloadOf(command, values))) }),
  );
  const body = Buffer.from(response.Payload ?? []).toString('utf8');
  if (response.FunctionError) {
    const failure = JSON.parse(body || '{}') as { errorType?: string; errorMessage?: string };
    console.error(`${failure.errorType ?? 'error'}: ${failure.errorMessage ?? body}`);
    return 1;
  }
  console.log(JSON.stringify(JSON.parse(body || 'null'), null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const failure = error instanceof Error ? error : new Error(String(error));
    const unreachable = ('code' in failure && failure.code === 'ECONNREFUSED') || failure.message.includes('ECONNREFUSED');
    console.error(
      unreachable ? 'cannot reach the local stack: start it with `npm start` (or pass --local <url> / --stack <name>)' : failure.message,
    );
    process.exit(1);
  },
);
