import { appendFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { currentFunctionStep } from '../../local/invocation-context.js';
import { type RecordedCall, type RecordingEnd, awsPlaceholders } from './aws-calls.js';

/** The services whose calls the test stack sees (`startLocalStack`'s `interpose`). */
export type RecordedService = 'dynamodb' | 'kms' | 'events' | 'streams';

/** What IAM authorizes for one call: an action on a resource, with the request's condition keys. */
type Authorization = Pick<RecordedCall, 'action' | 'resource' | 'context'>;

type Body = Record<string, unknown>;

/**
 * Records, in the test stack process, every call a function makes to DynamoDB, its stream, KMS and
 * EventBridge, as the IAM authorizations it needs on AWS (aws-calls.ts). Each distinct authorization of each
 * function is written once, as soon as it is first seen.
 *
 * Whose call it is: the SDK gives every call an `amz-sdk-invocation-id` header (kept across its retries); when
 * the SDK creates the client request, in the async context of the code that made the call, the id is noted
 * with the function that code runs as (local/invocation-context.ts); when the call reaches the interposed
 * proxy, the id names it. Noted at creation, not when the request is sent (`http.client.request.start`): a
 * request that waits for a free socket of the agent is sent in the context of whichever request freed it.
 */
export class AwsCallRecorder {
  private readonly stepOfInvocation = new Map<string, string | null>();
  private readonly written = new Set<string>();
  /** Before the stack is up, calls outside every function are its own (the demo seed), not the functions'. */
  private stackStarted = false;

  constructor(private readonly file: string) {
    writeFileSync(file, '', { mode: 0o600 });
    // Before the SDK first takes `request` from node:http (when its first client sends), so it takes this one.
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    const create = http.request.bind(http);
    const noting = (...args: Parameters<typeof create>) => {
      const request = create(...args);
      const invocationId = request.getHeader('amz-sdk-invocation-id');
      if (typeof invocationId === 'string') this.stepOfInvocation.set(invocationId, currentFunctionStep() ?? null);
      return request;
    };
    Object.defineProperty(http, 'request', { value: noting, writable: true, configurable: true });
    syncBuiltinESMExports();
  }

  /** From now on a call outside every function is recorded as such (and fails the evaluation). */
  started(): void {
    this.stackStarted = true;
  }

  /** The proxy's `arrive` hook for one service. */
  arrive(service: RecordedService, operation: string, request: Buffer, headers: IncomingHttpHeaders): void {
    const invocationId = headers['amz-sdk-invocation-id'];
    let step: string | null = null;
    if (typeof invocationId === 'string') {
      // Each retry of the call leaves as a new client request and notes the id again.
      step = this.stepOfInvocation.get(invocationId) ?? null;
      this.stepOfInvocation.delete(invocationId);
    }
    if (step === null && !this.stackStarted) return;
    let body: Body;
    try {
      body = JSON.parse(request.toString('utf8') || '{}') as Body;
    } catch {
      body = {};
    }
    const call = `${service === 'streams' ? 'dynamodb' : service}:${operation}`;
    for (const authorization of authorizationsOf(service, operation, body)) {
      const recorded: RecordedCall = { step, call, ...authorization };
      // One line per distinct authorization.
      const identity = JSON.stringify([step, call, authorization.action, authorization.resource, authorization.context]);
      if (this.written.has(identity)) continue;
      this.written.add(identity);
      appendFileSync(this.file, `${JSON.stringify(recorded)}\n`);
    }
  }

  /** Marks the recording complete: the stack is stopping. */
  finish(): void {
    const end: RecordingEnd = { end: new Date().toISOString() };
    appendFileSync(this.file, `${JSON.stringify(end)}\n`);
  }
}

/** The table actions of a transaction's items (DynamoDB authorizes each item as its own action). */
const transactionItemActions: Record<string, string> = {
  ConditionCheck: 'ConditionCheckItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Get: 'GetItem',
};

function authorizationsOf(service: RecordedService, operation: string, body: Body): Authorization[] {
  switch (service) {
    case 'dynamodb':
      return tableAuthorizations(operation, body);
    case 'streams':
      return [{ action: `dynamodb:${operation}`, resource: streamResource(operation, body), context: {} }];
    case 'kms':
      return [keyAuthorization(operation, body)];
    case 'events':
      return [
        ...new Set(entriesOf(body.Entries).map((entry) => (typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default'))),
      ].map((bus) => ({
        action: `events:${operation}`,
        resource: bus === process.env.EVENT_BUS_NAME ? awsPlaceholders.eventBusArn : awsPlaceholders.other('events', `event-bus/${bus}`),
        context: {},
      }));
  }
}

function tableAuthorizations(operation: string, body: Body): Authorization[] {
  const onTable = (action: string, tableName: unknown, indexName?: unknown): Authorization => ({
    action: `dynamodb:${action}`,
    resource: `${tableArnOf(tableName)}${typeof indexName === 'string' ? `/index/${indexName}` : ''}`,
    context: {},
  });
  switch (operation) {
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return entriesOf(body.TransactItems).flatMap((item) =>
        Object.entries(item).map(([kind, detail]) =>
          onTable(transactionItemActions[kind] ?? `unknown transaction item ${kind}`, (detail as Body).TableName),
        ),
      );
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((body.RequestItems ?? {}) as Body).map((tableName) => onTable(operation, tableName));
    default:
      return [onTable(operation, body.TableName, body.IndexName)];
  }
}

function tableArnOf(tableName: unknown): string {
  return tableName === process.env.TABLE_NAME ? awsPlaceholders.tableArn : awsPlaceholders.other('dynamodb', `table/${String(tableName)}`);
}

/**
 * The stream a streams call reads: named by `StreamArn`, or inside the shard iterator of `GetRecords` (DynamoDB
 * Local's iterators carry it, as AWS's are bound to one stream); `ListStreams` has no resource.
 */
function streamResource(operation: string, body: Body): string {
  if (operation === 'ListStreams') return '*';
  const localArn =
    typeof body.StreamArn === 'string' ? body.StreamArn : /arn:aws:dynamodb:[^|]*\/stream\/[^|]*/.exec(String(body.ShardIterator))?.[0];
  const ofTable = `:table/${process.env.TABLE_NAME}/stream/`;
  return localArn?.includes(ofTable) ? awsPlaceholders.streamArn : awsPlaceholders.other('dynamodb', `stream-of-unknown-table/${localArn}`);
}

function keyAuthorization(operation: string, body: Body): Authorization {
  // The context's keys, which the policies condition on; not its values, the app ids.
  const contextKeys = Object.keys(body.EncryptionContext ?? {});
  const context: Record<string, string[]> = contextKeys.length > 0 ? { 'kms:EncryptionContextKeys': contextKeys } : {};
  // A Decrypt of a symmetric ciphertext names no key: KMS takes it from the blob, whose bytes 1-16 are the
  // stand-in's key id (local/kms-stand-in.ts).
  const keyId = typeof body.KeyId === 'string' ? body.KeyId : keyIdOfBlob(body.CiphertextBlob);
  const localKeyId = process.env.KMS_KEY_ID?.split('/').pop();
  const resource =
    keyId !== undefined && keyId.split('/').pop() === localKeyId ? awsPlaceholders.keyArn : awsPlaceholders.other('kms', `key/${keyId}`);
  return { action: `kms:${operation}`, resource, context };
}

function keyIdOfBlob(blob: unknown): string | undefined {
  if (typeof blob !== 'string') return undefined;
  const hex = Buffer.from(blob, 'base64').subarray(1, 17).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function entriesOf(value: unknown): Body[] {
  return Array.isArray(value) ? (value as Body[]) : [];
}
