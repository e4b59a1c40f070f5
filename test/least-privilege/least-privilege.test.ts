/**
 * Least privilege, proven (docs/SECURITY.md): every AWS call each function made while the integration and
 * security suites ran (recorded by the test stack, test/support/aws-call-recorder.ts) is evaluated against
 * that function's synthesized IAM policies, and the key policy for KMS calls, with a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate). Every call must be allowed, and every granted action used by some call.
 *
 * Run after the suites (`npm test` does): `npm run test:least-privilege`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { type RecordedCall, type RecordingEnd, awsPlaceholders, recordedCallsFile } from '../support/aws-calls.js';
import { type FunctionPolicies, type PolicyDocument, type SynthesizedPolicies, synthesizedPolicies } from './synthesized-policies.js';

type Request = Pick<RecordedCall, 'action' | 'resource' | 'context'>;

/**
 * Granted actions no handler calls, so no recording can show them used; each is excepted by name, for the
 * steps named, for the reason given.
 */
const exemptions: { action: string; steps: 'every step' | string[]; reason: string }[] = [
  { action: 'logs:CreateLogStream', steps: 'every step', reason: 'Lambda writes the function’s logs, to its own log group only' },
  { action: 'logs:PutLogEvents', steps: 'every step', reason: 'Lambda writes the function’s logs, to its own log group only' },
  { action: 'xray:PutTraceSegments', steps: 'every step', reason: 'Lambda’s active tracing sends the traces' },
  { action: 'xray:PutTelemetryRecords', steps: 'every step', reason: 'Lambda’s active tracing sends the traces' },
  {
    action: 'kms:Decrypt',
    steps: ['step-up'],
    reason:
      'the local stack runs every step in one process with one data-key cache, so step-up always finds the key a step before it (enrollment, login-verify) unwrapped; on Lambda its own instances unwrap it',
  },
  {
    action: 'ses:SendEmail',
    steps: ['notifier'],
    reason:
      'the notifier reaches the local SES stand-in (SES v2 speaks REST-JSON) directly, not through the recording proxy, which speaks the JSON protocol of DynamoDB, KMS and EventBridge; test/integration/security-emails.test.ts shows each email sent',
  },
  ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({
    action,
    steps: ['notifier'],
    reason:
      "Lambda itself sends an event the notifier failed on after its async retries to the function's on-failure queue (UnsentEmails); the handler never calls SQS",
  })),
  ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({
    action,
    steps: ['publish-events'],
    reason:
      'the publisher sends an event EventBridge refused, whole, to the dead-letter queue, and the event source mapping sends a batch that failed every retry there too; the recorder has no placeholder ARN for a queue, so these calls are not recorded (test/security/security-events-dead-letters.test.ts shows the SendMessage)',
  })),
];

function isExempt(step: string, action: string): boolean {
  return exemptions.some(
    (exemption) =>
      exemption.action.toLowerCase() === action.toLowerCase() && (exemption.steps === 'every step' || exemption.steps.includes(step)),
  );
}

/** IAM's decision on one request of one function: `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`. */
async function decision(fn: FunctionPolicies, request: Request, keyPolicy: PolicyDocument | undefined): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: fn.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: awsPlaceholders.account },
        contextVariables: request.context,
      },
      identityPolicies: fn.policies.map(({ name, document }) => ({ name, policy: document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // KMS evaluates the key policy together with the identity policies.
      resourcePolicy: request.action.startsWith('kms:') ? keyPolicy : undefined,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the simulator refused ${request.action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** IAM's wildcard match of an action or resource pattern (case-insensitive for actions, exact for ARNs). */
function matches(pattern: string, value: string, caseInsensitive = false): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    caseInsensitive ? 'i' : '',
  );
  return regex.test(value);
}

/** Every action a function's policies allow on every resource they name, that no call of its used. */
function unusedGrants(fn: FunctionPolicies, calls: RecordedCall[]): string[] {
  const unused: string[] = [];
  for (const { document } of fn.policies) {
    for (const statement of document.Statement.filter((candidate) => candidate.Effect === 'Allow')) {
      for (const action of [statement.Action].flat()) {
        if (isExempt(fn.step, action)) continue;
        for (const resource of [statement.Resource].flat()) {
          const used = calls.some(
            (call) => call.step === fn.step && matches(action, call.action, true) && matches(resource, call.resource),
          );
          if (!used) unused.push(`${action} on ${resource}`);
        }
      }
    }
  }
  return unused;
}

/** The recording the last run of the suites left, or why there is none. */
function recording(): { calls: RecordedCall[]; problem?: string } {
  const file = recordedCallsFile();
  if (!existsSync(file))
    return { calls: [], problem: `no recording at ${file}: run the integration and security suites first (npm test does)` };
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedCall | RecordingEnd);
  const ended = lines.some((line) => 'end' in line);
  const calls = lines.filter((line): line is RecordedCall => 'action' in line);
  return ended ? { calls } : { calls, problem: `the recording at ${file} is incomplete: the test stack did not stop normally` };
}

let policies: SynthesizedPolicies;
const { calls, problem } = recording();
const stepsWithCalls = [...new Set(calls.map((call) => call.step ?? '(outside every function)'))].sort();

beforeAll(() => {
  policies = synthesizedPolicies();
}, 120_000);

describe('the recording of the suites', () => {
  it('is complete', () => {
    expect(problem).toBeUndefined();
    expect(calls.length).toBeGreaterThan(0);
  });

  it('has every call made inside a function', () => {
    expect(calls.filter((call) => call.step === null)).toEqual([]);
  });

  it('has a call of every function that is granted more than its logs', () => {
    const granted = [...policies.functions.values()].filter((fn) =>
      fn.policies.some(({ document }) =>
        document.Statement.some((statement) => [statement.Action].flat().some((action) => !isExempt(fn.step, action))),
      ),
    );
    expect(granted.map((fn) => fn.step).filter((step) => !stepsWithCalls.includes(step))).toEqual([]);
  });
});

describe.each(stepsWithCalls)('the %s function', (step) => {
  it('is allowed every call it made', async () => {
    const fn = policies.functions.get(step);
    expect(fn).toBeDefined();
    const refused: string[] = [];
    for (const call of calls.filter((candidate) => candidate.step === step)) {
      const result = await decision(fn!, call, policies.keyPolicy);
      if (result !== 'Allowed')
        refused.push(`${call.call} needs ${call.action} on ${call.resource} ${JSON.stringify(call.context)}: ${result}`);
    }
    expect(refused).toEqual([]);
  });

  it('is granted no action it did not use', () => {
    expect(unusedGrants(policies.functions.get(step)!, calls)).toEqual([]);
  });
});

describe('the evaluation itself', () => {
  const decryptingStep = 'login-verify';
  const decryptCall = () => calls.find((call) => call.step === decryptingStep && call.action === 'kms:Decrypt')!;

  it('refuses a recorded call once its action is taken out of the policy', async () => {
    const fn = policies.functions.get('login')!;
    const call = calls.find((candidate) => candidate.step === 'login' && candidate.action === 'dynamodb:BatchGetItem');
    expect(call).toBeDefined();
    expect(await decision(fn, call!, policies.keyPolicy)).toBe('Allowed');
    const withoutBatchGet: FunctionPolicies = {
      ...fn,
      policies: fn.policies.map(({ name, document }) => ({
        name,
        document: {
          ...document,
          Statement: document.Statement.map((statement) => ({
            ...statement,
            Action: [statement.Action].flat().filter((action) => action !== 'dynamodb:BatchGetItem'),
          })).filter((statement) => statement.Action.length > 0),
        },
      })),
    };
    expect(await decision(withoutBatchGet, call!, policies.keyPolicy)).toBe('ImplicitlyDenied');
  });

  it('refuses a Decrypt without the appId encryption context, or with another key beside it', async () => {
    const fn = policies.functions.get(decryptingStep)!;
    expect(decryptCall()).toBeDefined();
    expect(await decision(fn, decryptCall(), policies.keyPolicy)).toBe('Allowed');
    const contexts: Record<string, string[]>[] = [
      {},
      { 'kms:EncryptionContextKeys': ['appId', 'userId'] },
      { 'kms:EncryptionContextKeys': ['tenant'] },
    ];
    for (const context of contexts) {
      expect(await decision(fn, { ...decryptCall(), context }, policies.keyPolicy)).not.toBe('Allowed');
    }
  });

  it('has the key policy refuse it even to a role granted every KMS action', async () => {
    const everything: FunctionPolicies = {
      step: 'admin',
      roleArn: `arn:aws:iam::${awsPlaceholders.account}:role/Admin`,
      policies: [{ name: 'all', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }],
    };
    expect(await decision(everything, decryptCall(), policies.keyPolicy)).toBe('Allowed');
    expect(await decision(everything, { ...decryptCall(), context: {} }, policies.keyPolicy)).toBe('ExplicitlyDenied');
    expect(
      await decision(
        everything,
        { ...decryptCall(), action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContextKeys': ['other'] } },
        policies.keyPolicy,
      ),
    ).toBe('ExplicitlyDenied');
  });

  it('reports a granted action no call used', () => {
    const fn = policies.functions.get('me')!;
    const [first, ...rest] = fn.policies;
    const withScan: FunctionPolicies = {
      ...fn,
      policies: [
        {
          name: first!.name,
          document: {
            ...first!.document,
            Statement: [...first!.document.Statement, { Effect: 'Allow', Action: 'dynamodb:Scan', Resource: awsPlaceholders.tableArn }],
          },
        },
        ...rest,
      ],
    };
    expect(unusedGrants(fn, calls)).toEqual([]);
    expect(unusedGrants(withScan, calls)).toEqual([`dynamodb:Scan on ${awsPlaceholders.tableArn}`]);
  });
});
