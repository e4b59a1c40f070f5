import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The AWS calls the functions made in the test stack, as IAM would authorize them on AWS: written by the
 * stack process (aws-call-recorder.ts) while the integration and security suites run, and evaluated against
 * the synthesized policies by test/least-privilege (docs/SECURITY.md, "Least privilege, proven").
 */
export interface RecordedCall {
  /** The step whose function made the call (`login-verify`), or null: a call outside every function. */
  step: string | null;
  /** The API call on the wire, e.g. `dynamodb:TransactWriteItems`; one call may need several actions. */
  call: string;
  /** The IAM action it needs, e.g. `dynamodb:ConditionCheckItem` for a transaction's condition check. */
  action: string;
  /** The resource's ARN as it would be on AWS, in the placeholders of {@link awsPlaceholders}. */
  resource: string;
  /** The request's condition keys, e.g. `kms:EncryptionContextKeys`. */
  context: Record<string, string | string[]>;
}

const partition = 'aws';
const region = 'us-east-1';
const account = '123456789012';
const tableArn = `arn:${partition}:dynamodb:${region}:${account}:table/two-factor`;

/**
 * One account, region and ARN per resource the policies name. The recorder writes the local stack's table,
 * stream, key and bus as these ARNs, and the evaluator resolves the template's references to the same ones;
 * anything else the functions touched keeps an ARN no policy grants.
 */
export const awsPlaceholders = {
  partition,
  region,
  account,
  urlSuffix: 'amazonaws.com',
  tableArn,
  streamArn: `${tableArn}/stream/2000-01-01T00:00:00.000`,
  keyArn: `arn:${partition}:kms:${region}:${account}:key/00000000-1111-2222-3333-444444444444`,
  eventBusArn: `arn:${partition}:events:${region}:${account}:event-bus/security-events`,
  /** An ARN in the placeholder account for what no placeholder stands for: `<service>:<what>`. */
  other: (service: string, what: string) => `arn:${partition}:${service}:${region}:${account}:${what}`,
} as const;

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where the recording goes: the system's temp folder, one file per checkout, replaced by each test stack, so
 * `npm run test:least-privilege` finds the one the last run of the suites wrote.
 */
export function recordedCallsFile(): string {
  const checkout = createHash('sha256').update(projectRoot).digest('hex').slice(0, 12);
  return join(tmpdir(), `two-factor-aws-calls-${checkout}.jsonl`);
}

/** The last line of a complete recording: the stack stopped after the suites ran. */
export interface RecordingEnd {
  end: string;
}
