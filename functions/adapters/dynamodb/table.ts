import {
  type DocumentClient,
  type QueryInput,
  type TransactItem,
  cancellationReasons,
  refusedItem,
  serviceError,
} from './document-client.js';
import { ConditionFailedError, type ConflictReason, ServiceUnavailableError } from '../../core/errors.js';
import { withinDeadline } from '../../commons/request-deadline.js';
import type { Item } from './item-reader.js';
import type { ItemKey } from './keys.js';

/** A condition or update expression with the names and values it uses (and no others: DynamoDB rejects unused ones). */
export interface Expression {
  text: string;
  names?: Record<string, string>;
  values?: Item;
}

/** Both expressions must hold. */
export function and(...parts: Expression[]): Expression {
  return { text: parts.map((part) => part.text).join(' AND '), ...mergedNamesAndValues(parts) };
}

/**
 * One write, and the reason to report when its condition is what refused it; a function picks the reason
 * from the item as the condition found it (undefined: there was none), when one condition closes two races.
 */
export interface Write {
  item: TransactItem;
  reason?: ConflictReason | ((found: Item | undefined) => ConflictReason);
}

/**
 * Tries of a write that only conflicted with concurrent transactions before it answers 503. Sign-ups and
 * enrollments meet on the enrollment counters (split in 32 items, see enrollment-counts.ts): 50 at once on one
 * app's counters need up to about ten tries, about a second of backoff in all.
 */
const maxConflictRetries = 10;
/** What taking back the items of a failed `writeAlongside` may take past the request's deadline (its margin is 1 s). */
const takeBackMs = 500;
const throttledReasons = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * The single table's mechanics: reads, write builders, transactions whose refusals become typed
 * `ConditionFailedError`s, and retries of writes that only collided with a transaction in progress.
 * It knows nothing of entities (the codecs) or of which writes go together (the repositories).
 */
export class Table {
  constructor(
    private readonly client: DocumentClient,
    private readonly tableName: string,
  ) {}

  async get(key: ItemKey): Promise<Item | undefined> {
    return this.client.get({ TableName: this.tableName, Key: key, ConsistentRead: true });
  }

  /**
   * Strongly consistent reads of several items in one round trip (BatchGetItem); the answer is in the order
   * of `keys`, undefined where an item does not exist. Keys the service left unprocessed are asked again.
   */
  async getMany(keys: ItemKey[]): Promise<(Item | undefined)[]> {
    const found = new Map<string, Item>();
    let pending: Item[] = keys.map((key) => ({ pk: key.pk, sk: key.sk }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxConflictRetries) throw new ServiceUnavailableError();
      if (attempt > 1) await conflictBackoff(attempt);
      const result = await this.client.batchGet(this.tableName, pending, true);
      for (const item of result.items) found.set(keyOf(item), item);
      pending = result.unprocessed;
    }
    return keys.map((key) => found.get(keyOf({ pk: key.pk, sk: key.sk })));
  }

  query(input: Omit<QueryInput, 'TableName'>): Promise<{ items: Item[]; lastKey: Item | undefined }> {
    return this.client.query({ ...input, TableName: this.tableName });
  }

  put(item: Item, condition?: Expression): Write['item'] {
    return { Put: { TableName: this.tableName, Item: item, ...conditionFields(condition) } };
  }

  delete(key: ItemKey, condition?: Expression): Write['item'] {
    return { Delete: { TableName: this.tableName, Key: key, ...conditionFields(condition) } };
  }

  update(key: ItemKey, change: Expression, condition?: Expression): Write['item'] {
    const { names, values } = mergedNamesAndValues(condition ? [change, condition] : [change]);
    return {
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: change.text,
        ...(condition ? { ConditionExpression: condition.text } : {}),
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  check(key: ItemKey, condition: Expression): Write['item'] {
    const { names, values } = mergedNamesAndValues([condition]);
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: condition.text,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  /**
   * One write on its own (a put, delete or update built above). A refused condition raises
   * `ConditionFailedError` with `write.reason`; returns the new attributes of an update.
   */
  async write(write: Write): Promise<Item | undefined> {
    try {
      return await this.withConflictRetries(() => this.sendOne(write.item, typeof write.reason === 'function' ? 'ALL_OLD' : undefined));
    } catch (error) {
      const refusal = serviceError(error, 'ConditionalCheckFailedException');
      if (refusal && write.reason) {
        const found = refusedItem(refusal);
        throw new ConditionFailedError(typeof write.reason === 'string' ? write.reason : write.reason(found), { cause: error });
      }
      throw error;
    }
  }

  /**
   * Writes `commit` and, at the same time, the new items it hands out (a session and a device, whose tokens
   * only leave once everything is written), instead of in one transaction, which bills two write units per
   * item. Should any write fail, those items are deleted again (`handedOut`): a session or device whose token
   * never left is no way in, and a refused commit (a step or challenge spent meanwhile, a lock) spent nothing.
   * A refused commit answers at once, as a wrong code refused in the same race does, so the time of a refusal
   * does not tell a right code from a wrong one; the items are taken back meanwhile. A failed write (503)
   * waits for them.
   */
  async writeAlongside(commit: Write, alongside: Write[], handedOut: ItemKey[]): Promise<void> {
    const results = await Promise.allSettled([this.write(commit), ...alongside.map((write) => this.write(write))]);
    const failed = results.find((result) => result.status === 'rejected');
    if (!failed) return;
    // Within the margin left to answer, even when the request's deadline is what failed the write.
    const takeBack = withinDeadline(Date.now() + takeBackMs, () =>
      Promise.allSettled(handedOut.map((key) => this.write({ item: this.delete(key) }))),
    );
    const [committed] = results;
    if (!(committed.status === 'rejected' && committed.reason instanceof ConditionFailedError)) await takeBack;
    throw failed.reason;
  }

  /**
   * Like `write`, but a refused condition is an answer, not an error: returns the item as the condition
   * found it (an empty item when there was none), or null when the write was made. With
   * `conflictIsRefusal`, a collision with a transaction in progress is a refusal too (the caller re-reads).
   */
  async writeUnlessRefused(item: Write['item'], options: { conflictIsRefusal?: boolean } = {}): Promise<Item | null> {
    try {
      const send = () => this.sendOne(item, 'ALL_OLD');
      await (options.conflictIsRefusal ? send() : this.withConflictRetries(send));
      return null;
    } catch (error) {
      const refusal = serviceError(error, 'ConditionalCheckFailedException');
      if (refusal) return refusedItem(refusal) ?? {};
      if (options.conflictIsRefusal && serviceError(error, 'TransactionConflictException')) return {};
      throw error;
    }
  }

  /**
   * Runs the writes as one transaction. A write whose condition failed becomes a `ConditionFailedError`
   * with that write's reason; a cancellation caused only by conflicts with concurrent transactions (no
   * condition failed) is tried again, since nothing was decided yet. When such conflicts persist, the
   * write answers 503, or, for a caller that re-reads and retries anyway, the lost race `persistentConflict` names.
   */
  async transact(writes: Write[], options: { persistentConflict?: ConflictReason } = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.transactWrite(writes.map(withOldItemOnRefusal));
        return;
      } catch (error) {
        const cancelled = serviceError(error, 'TransactionCanceledException');
        if (!cancelled) throw error;
        const reasons = cancellationReasons(cancelled);
        const lost = writes.findIndex((write, index) => write.reason !== undefined && reasons[index]?.Code === 'ConditionalCheckFailed');
        const reason = writes[lost]?.reason;
        if (reason !== undefined) {
          const found = reasons[lost]?.Item;
          throw new ConditionFailedError(typeof reason === 'string' ? reason : reason(found), { cause: error });
        }
        const codes = reasons.map((cancellation) => cancellation.Code ?? 'None');
        if (codes.some((code) => throttledReasons.has(code))) throw new ServiceUnavailableError({ cause: error });
        if (!codes.includes('TransactionConflict')) throw error;
        if (attempt < maxConflictRetries) {
          await conflictBackoff(attempt);
          continue;
        }
        if (options.persistentConflict) throw new ConditionFailedError(options.persistentConflict, { cause: error });
        throw new ServiceUnavailableError({ cause: error });
      }
    }
  }

  private async sendOne(item: Write['item'], onRefusal?: 'ALL_OLD'): Promise<Item | undefined> {
    const refusal = onRefusal ? { ReturnValuesOnConditionCheckFailure: onRefusal } : {};
    if (item.Put) {
      await this.client.put({ ...item.Put, ...refusal });
      return undefined;
    }
    if (item.Delete) {
      await this.client.delete({ ...item.Delete, ...refusal });
      return undefined;
    }
    if (item.Update) return this.client.update({ ...item.Update, ...refusal, ReturnValues: 'UPDATED_NEW' });
    throw new Error('a condition check is only a part of a transaction');
  }

  /**
   * A single-item write that collides with a transaction in progress on its item fails with
   * TransactionConflictException, which the SDK does not retry; nothing was written, so try again.
   */
  private async withConflictRetries<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!serviceError(error, 'TransactionConflictException')) throw error;
        if (attempt >= maxConflictRetries) throw new ServiceUnavailableError({ cause: error });
        await conflictBackoff(attempt);
      }
    }
  }
}

/** A write whose reason depends on the item the condition found asks DynamoDB to return that item. */
function withOldItemOnRefusal(write: Write): TransactItem {
  if (typeof write.reason !== 'function') return write.item;
  const refusal = { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const;
  const { Put, Update, Delete, ConditionCheck } = write.item;
  if (Put) return { Put: { ...Put, ...refusal } };
  if (Update) return { Update: { ...Update, ...refusal } };
  if (Delete) return { Delete: { ...Delete, ...refusal } };
  return ConditionCheck ? { ConditionCheck: { ...ConditionCheck, ...refusal } } : write.item;
}

function keyOf(item: Item): string {
  const { pk, sk } = item;
  return typeof pk === 'string' && typeof sk === 'string' ? `${pk}\n${sk}` : '';
}

function conflictBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, attempt * (10 + Math.random() * 30)));
}

interface ConditionFields {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

function conditionFields(expression: Expression | undefined): ConditionFields {
  if (!expression) return {};
  return {
    ConditionExpression: expression.text,
    ...(expression.names ? { ExpressionAttributeNames: expression.names } : {}),
    ...(expression.values && Object.keys(expression.values).length > 0 ? { ExpressionAttributeValues: expression.values } : {}),
  };
}

/** The names and values of several expressions of one write; one placeholder may not mean two things. */
function mergedNamesAndValues(parts: Expression[]): { names?: Record<string, string>; values?: Item } {
  const names: Record<string, string> = {};
  const values: Item = {};
  for (const part of parts) {
    for (const [placeholder, value] of Object.entries(part.names ?? {})) {
      if (placeholder in names && names[placeholder] !== value) throw new Error(`expression name ${placeholder} used twice`);
      names[placeholder] = value;
    }
    for (const [placeholder, value] of Object.entries(part.values ?? {})) {
      if (placeholder in values && values[placeholder] !== value) throw new Error(`expression value ${placeholder} used twice`);
      values[placeholder] = value;
    }
  }
  return {
    ...(Object.keys(names).length > 0 ? { names } : {}),
    ...(Object.keys(values).length > 0 ? { values } : {}),
  };
}
