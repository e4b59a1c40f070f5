import { randomUUID } from 'node:crypto';
import { type NativeAttributeValue, marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsJsonClient, type AwsJsonClientOptions } from '../aws-json/client.js';
import { AwsServiceError } from '../aws-json/retries.js';
import type { Item } from './item-reader.js';
import type { ItemKey } from './keys.js';

/** DynamoDB's JSON protocol (`awsJson1_0`), as its SDK client speaks it. */
const dynamoDb = {
  signingName: 'dynamodb',
  endpointId: 'DYNAMODB',
  targetPrefix: 'DynamoDB_20120810',
  contentType: 'application/x-amz-json-1.0',
} as const;

/** An item as DynamoDB's wire holds it (`{ "S": "…" }`, …). */
type WireItem = Record<string, unknown>;

interface ExpressionFields {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD';
}

export interface PutInput extends ExpressionFields {
  TableName: string;
  Item: Item;
}

export interface DeleteInput extends ExpressionFields {
  TableName: string;
  Key: ItemKey;
}

export interface UpdateInput extends ExpressionFields {
  TableName: string;
  Key: ItemKey;
  UpdateExpression: string;
  ReturnValues?: 'UPDATED_NEW';
}

interface ConditionCheckInput extends ExpressionFields {
  TableName: string;
  Key: ItemKey;
  ConditionExpression: string;
}

/** One write of a transaction (`TransactWriteItems`). */
export interface TransactItem {
  Put?: PutInput;
  Delete?: DeleteInput;
  Update?: UpdateInput;
  ConditionCheck?: ConditionCheckInput;
}

export interface QueryInput {
  TableName: string;
  IndexName?: string;
  KeyConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ScanIndexForward?: boolean;
  Limit?: number;
  ConsistentRead?: boolean;
  ExclusiveStartKey?: Item;
  /** Applied after `Limit`, as DynamoDB does. */
  FilterExpression?: string;
}

/** Why a transaction was cancelled, per write: `ConditionalCheckFailed` (with the item when asked), `None`, … */
export interface CancellationReason {
  Code?: string;
  Item?: Item;
}

/**
 * The DynamoDB calls of the single table (functions/adapters/dynamodb/table.ts), over `AwsJsonClient`, with
 * items in and out as plain objects, converted by @aws-sdk/util-dynamodb's `marshall` and `unmarshall` (what
 * the SDK's document client uses, without the client: a few KB with no dependencies) with
 * `removeUndefinedValues`, as the service's document client was configured. Built with no options (one per
 * process), the endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`) when set, as the SDK
 * reads it (the local stack); timeouts and retries: `awsCallLimits`, bounded by the request's deadline.
 */
export class DocumentClient {
  private readonly api: AwsJsonClient;

  constructor(options: AwsJsonClientOptions = {}) {
    this.api = new AwsJsonClient(dynamoDb, options);
  }

  async get(input: { TableName: string; Key: ItemKey; ConsistentRead?: boolean }): Promise<Item | undefined> {
    const answer = await this.api.call('GetItem', { ...input, Key: toWire(input.Key) });
    return fromWireOrUndefined(answer.Item);
  }

  /** One table's keys: the items found, and the keys the service left unprocessed. */
  async batchGet(tableName: string, keys: Item[], consistentRead: boolean): Promise<{ items: Item[]; unprocessed: Item[] }> {
    const answer = await this.api.call('BatchGetItem', {
      RequestItems: { [tableName]: { Keys: keys.map(toWire), ConsistentRead: consistentRead } },
    });
    const responses = (answer.Responses ?? {}) as Record<string, WireItem[]>;
    const unprocessed = (answer.UnprocessedKeys ?? {}) as Record<string, { Keys?: WireItem[] }>;
    return { items: (responses[tableName] ?? []).map(fromWire), unprocessed: (unprocessed[tableName]?.Keys ?? []).map(fromWire) };
  }

  async query(input: QueryInput): Promise<{ items: Item[]; lastKey: Item | undefined }> {
    const answer = await this.api.call('Query', {
      ...input,
      ...(input.ExpressionAttributeValues ? { ExpressionAttributeValues: toWire(input.ExpressionAttributeValues) } : {}),
      ...(input.ExclusiveStartKey ? { ExclusiveStartKey: toWire(input.ExclusiveStartKey) } : {}),
    });
    return { items: ((answer.Items ?? []) as WireItem[]).map(fromWire), lastKey: fromWireOrUndefined(answer.LastEvaluatedKey) };
  }

  async put(input: PutInput): Promise<void> {
    await this.api.call('PutItem', wireWrite(input));
  }

  async delete(input: DeleteInput): Promise<void> {
    await this.api.call('DeleteItem', wireWrite(input));
  }

  /** Returns the attributes `ReturnValues` asks for. */
  async update(input: UpdateInput): Promise<Item | undefined> {
    const answer = await this.api.call('UpdateItem', wireWrite(input));
    return fromWireOrUndefined(answer.Attributes);
  }

  /**
   * One transaction, with an idempotency token (as the SDK adds one): the body is signed once and resent as is
   * by the client's retries, so a retry of an attempt that committed but whose answer was lost succeeds instead
   * of failing its own conditions. A new call (the Table's conflict retries) gets a new token.
   */
  async transactWrite(items: TransactItem[]): Promise<void> {
    await this.api.call('TransactWriteItems', {
      ClientRequestToken: randomUUID(),
      TransactItems: items.map(({ Put, Delete, Update, ConditionCheck }) => ({
        ...(Put ? { Put: wireWrite(Put) } : {}),
        ...(Delete ? { Delete: wireWrite(Delete) } : {}),
        ...(Update ? { Update: wireWrite(Update) } : {}),
        ...(ConditionCheck ? { ConditionCheck: wireWrite(ConditionCheck) } : {}),
      })),
    });
  }

  /** Closes the kept-alive sockets (tests and tools). */
  destroy(): void {
    this.api.destroy();
  }
}

/** The service error `error` is, when it has code `name`. */
export function serviceError(error: unknown, name: string): AwsServiceError | undefined {
  return error instanceof AwsServiceError && error.name === name ? error : undefined;
}

/** The item a refused condition found, of a `ConditionalCheckFailedException` that asked for it. */
export function refusedItem(error: AwsServiceError): Item | undefined {
  return fromWireOrUndefined(error.details.Item);
}

/** The per-write reasons of a `TransactionCanceledException`, in the order of its writes. */
export function cancellationReasons(error: AwsServiceError): CancellationReason[] {
  const reasons = Array.isArray(error.details.CancellationReasons) ? (error.details.CancellationReasons as unknown[]) : [];
  return reasons.map((reason) => {
    const { Code, Item: found } = (reason ?? {}) as { Code?: unknown; Item?: unknown };
    const item = fromWireOrUndefined(found);
    return { ...(typeof Code === 'string' ? { Code } : {}), ...(item ? { Item: item } : {}) };
  });
}

function toWire(item: Item | ItemKey): WireItem {
  return marshall(item as Record<string, NativeAttributeValue>, { removeUndefinedValues: true });
}

function fromWire(item: WireItem): Item {
  return unmarshall(item as Parameters<typeof unmarshall>[0]);
}

function fromWireOrUndefined(item: unknown): Item | undefined {
  return item && typeof item === 'object' ? fromWire(item as WireItem) : undefined;
}

/** A write's input with its item, key and expression values in the wire's shape. */
function wireWrite(input: ExpressionFields & { Item?: Item; Key?: ItemKey }): Record<string, unknown> {
  return {
    ...input,
    ...(input.Item ? { Item: toWire(input.Item) } : {}),
    ...(input.Key ? { Key: toWire(input.Key) } : {}),
    ...(input.ExpressionAttributeValues ? { ExpressionAttributeValues: toWire(input.ExpressionAttributeValues) } : {}),
  };
}
