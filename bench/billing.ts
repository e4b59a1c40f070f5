import { DescribeTableCommand, type DynamoDBClient, GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { MeteredCall } from './metering-proxy.js';

/**
 * DynamoDB's bill for the calls one request made, computed the way AWS computes it rather than taken
 * from DynamoDB Local's ConsumedCapacity (which, for one, reports 2 write units for any
 * TransactWriteItems whatever its size and number of items).
 *
 * The rules (on-demand; the DynamoDB developer guide's "Read/write capacity mode" and "Item sizes"):
 * - item size: attribute names plus values (string and binary bytes, numbers about one byte per two
 *   significant digits plus one, 1 byte for booleans and nulls, 3 bytes plus 1 per element for lists and maps);
 * - reads: 0.5 RRU per 4 KB eventually consistent, 1 RRU strongly consistent, 2 RRU in TransactGetItems;
 *   GetItem and BatchGetItem round each item up, Query and Scan round the total of the items they read;
 *   a read that finds nothing still costs the minimum; projections do not make a read cheaper;
 * - writes: 1 WRU per 1 KB, 2 WRU per 1 KB for each item of TransactWriteItems (ConditionCheck included);
 *   the size is the larger of the item's images before and after the write; a write whose condition
 *   fails still costs the existing item's size (at least one unit), a cancelled transaction what its
 *   writes would have cost;
 * - every write that adds, changes or removes an item's entry in a global secondary index costs 1 WRU per
 *   1 KB of that entry on the index (2 writes when the entry's key changes), billed as a standard write.
 *
 * Item images come from the table itself: a consistent scan when the meter starts, then, after each
 * request, a consistent read of every item the request wrote (outside the request's timing). So a write's
 * "before" is the item as the previous request left it and its "after" the item this request left; when a
 * request writes one item twice, the second write is sized on the larger of those two (the image between
 * the writes is never seen).
 */

type Item = Record<string, AttributeValue>;

interface IndexDesign {
  name: string;
  keyAttributes: string[];
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes: string[];
}

interface TableDesign {
  name: string;
  keyAttributes: string[];
  globalIndexes: IndexDesign[];
}

/** What one call costs, as AWS would bill it. */
export interface CallBill {
  readUnits: number;
  /** Write units on the table itself. */
  tableWriteUnits: number;
  /** Write units the call causes on global secondary indexes. */
  indexWriteUnits: number;
}

/** Bytes of an item as DynamoDB counts them for capacity. */
function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binarySize(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, element) => sum + Buffer.byteLength(element), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, element) => sum + numberSize(element), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, element) => sum + binarySize(element), 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + valueSize(element) + 1, 0);
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + Buffer.byteLength(name) + valueSize(element) + 1, 0);
  }
  return 0;
}

/** "Approximately one byte per two significant digits, plus one byte." */
function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Binary values arrive base64-encoded in the JSON protocol; DynamoDB counts the raw bytes. */
function binarySize(value: unknown): number {
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : value instanceof Uint8Array ? value.length : 0;
}

const writeUnitBytes = 1024;
const readUnitBytes = 4096;

function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / writeUnitBytes));
}

function readUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / readUnitBytes));
}

/** One write action, from a single-item call or one item of a batch or a transaction. */
interface WriteAction {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  table: string;
  key: Item;
  /** The item a Put writes. */
  item?: Item;
  transactional: boolean;
}

/**
 * The table's images, kept current between requests, and the bill of each call computed from them.
 * The direct client reaches DynamoDB Local without the metering proxy: its reads are the bench's, not the
 * service's, and happen outside every measured request.
 */
export class DynamoDbBilling {
  private readonly images = new Map<string, Item>();
  private tables = new Map<string, TableDesign>();

  constructor(private readonly direct: DynamoDBClient) {}

  async load(tableNames: string[]): Promise<void> {
    for (const tableName of tableNames) {
      const { Table: table } = await this.direct.send(new DescribeTableCommand({ TableName: tableName }));
      if (!table?.KeySchema) throw new Error(`no key schema for ${tableName}`);
      this.tables.set(tableName, {
        name: tableName,
        keyAttributes: table.KeySchema.flatMap((key) => (key.AttributeName ? [key.AttributeName] : [])),
        globalIndexes: (table.GlobalSecondaryIndexes ?? []).map((index) => ({
          name: index.IndexName ?? '',
          keyAttributes: (index.KeySchema ?? []).flatMap((key) => (key.AttributeName ? [key.AttributeName] : [])),
          projection: index.Projection?.ProjectionType ?? 'ALL',
          nonKeyAttributes: index.Projection?.NonKeyAttributes ?? [],
        })),
      });
      let startKey: Item | undefined;
      do {
        const page = await this.direct.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
        for (const item of page.Items ?? []) this.images.set(this.imageKey(tableName, item), item);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }

  /**
   * Bills the calls of one request (in the order they were made), then reads back every item they wrote
   * so the next request's writes see these images as their "before".
   */
  async bill(calls: readonly MeteredCall[]): Promise<CallBill[]> {
    const written = new Map<string, { table: string; key: Item }>();
    for (const call of calls) {
      for (const action of writeActions(call)) {
        const table = this.tables.get(action.table);
        if (!table) continue;
        written.set(this.imageKey(action.table, action.key), { table: action.table, key: pick(action.key, table.keyAttributes) });
      }
    }
    const before = new Map([...written.keys()].map((key) => [key, this.images.get(key)]));
    await this.refresh([...written.values()]);
    const touched = new Set<string>();
    return calls.map((call) => this.billCall(call, before, touched));
  }

  private billCall(call: MeteredCall, before: Map<string, Item | undefined>, touched: Set<string>): CallBill {
    const bill: CallBill = { readUnits: 0, tableWriteUnits: 0, indexWriteUnits: 0 };
    if (call.service !== 'dynamodb') return bill;
    const request = call.request as Record<string, unknown>;
    const answer = (call.answer ?? {}) as Record<string, unknown>;
    switch (call.operation) {
      case 'GetItem': {
        const key = request.Key as Item;
        const size = this.readSize(String(request.TableName), key, answer.Item as Item | undefined, before);
        bill.readUnits = readUnits(size) * (request.ConsistentRead === true ? 1 : 0.5);
        break;
      }
      case 'BatchGetItem': {
        const responses = (answer.Responses ?? {}) as Record<string, Item[] | undefined>;
        for (const [tableName, entry] of Object.entries(
          (request.RequestItems ?? {}) as Record<string, { Keys?: Item[]; ConsistentRead?: boolean }>,
        )) {
          const table = this.tables.get(tableName);
          for (const key of entry.Keys ?? []) {
            const found = (responses[tableName] ?? []).find((item) => table && sameKey(item, key, table.keyAttributes));
            bill.readUnits += readUnits(this.readSize(tableName, key, found, before)) * (entry.ConsistentRead === true ? 1 : 0.5);
          }
        }
        break;
      }
      case 'TransactGetItems': {
        const responses = (answer.Responses ?? []) as { Item?: Item }[];
        ((request.TransactItems ?? []) as { Get?: { TableName: string; Key: Item } }[]).forEach((entry, index) => {
          if (!entry.Get) return;
          bill.readUnits += 2 * readUnits(this.readSize(entry.Get.TableName, entry.Get.Key, responses[index]?.Item, before));
        });
        break;
      }
      case 'Query':
      case 'Scan': {
        const items = (answer.Items ?? []) as Item[];
        const tableName = String(request.TableName);
        const indexName = typeof request.IndexName === 'string' ? request.IndexName : undefined;
        const projected = request.ProjectionExpression !== undefined || request.AttributesToGet !== undefined;
        const sizes = items.map((item) => (projected ? this.fullSize(tableName, indexName, item) : itemSize(item)));
        let total = sizes.reduce((sum, size) => sum + size, 0);
        // A filter drops items after they were read and billed: size those by the average of the rest.
        const scanned = typeof answer.ScannedCount === 'number' ? answer.ScannedCount : items.length;
        if (scanned > items.length) total += ((items.length > 0 ? total / items.length : 0) || 1) * (scanned - items.length);
        const consistent = request.ConsistentRead === true && indexName === undefined;
        bill.readUnits = readUnits(total) * (consistent ? 1 : 0.5);
        break;
      }
      default: {
        const failed = call.status >= 400;
        for (const action of writeActions(call)) {
          const table = this.tables.get(action.table);
          if (!table) continue;
          const imageKey = this.imageKey(action.table, action.key);
          const first = !touched.has(imageKey);
          touched.add(imageKey);
          const previous = first ? before.get(imageKey) : this.images.get(imageKey);
          const next = this.images.get(imageKey);
          const beforeSize = previous ? itemSize(previous) : 0;
          let size: number;
          // A failed condition costs the existing item; a cancelled transaction is billed like the writes it
          // would have made (the image after is the one before, so a Put's item stands in for it).
          if (action.kind === 'ConditionCheck' || action.kind === 'Delete' || (failed && !action.transactional)) size = beforeSize;
          else if (failed) size = Math.max(beforeSize, action.item ? itemSize(action.item) : 0);
          else size = Math.max(beforeSize, next ? itemSize(next) : 0, action.item ? itemSize(action.item) : 0);
          bill.tableWriteUnits += writeUnits(size) * (action.transactional ? 2 : 1);
          // Index entries change once per item and request: on its first write, from the image before the
          // request to the one after it.
          if (!failed && first && action.kind !== 'ConditionCheck') {
            for (const index of table.globalIndexes) bill.indexWriteUnits += indexWrites(table, index, previous, next);
          }
        }
      }
    }
    return bill;
  }

  /** The size a read is billed on: the whole item, whatever the projection, found or not. */
  private readSize(tableName: string, key: Item, found: Item | undefined, before: Map<string, Item | undefined>): number {
    const imageKey = this.imageKey(tableName, key);
    const image = before.has(imageKey) ? before.get(imageKey) : this.images.get(imageKey);
    return Math.max(found ? itemSize(found) : 0, image ? itemSize(image) : 0);
  }

  /** A projected Query or Scan item's full size: its table image, or its index entry on an index. */
  private fullSize(tableName: string, indexName: string | undefined, item: Item): number {
    const table = this.tables.get(tableName);
    const image = table ? this.images.get(this.imageKey(tableName, item)) : undefined;
    if (!table || !image) return itemSize(item);
    const index = table.globalIndexes.find((candidate) => candidate.name === indexName);
    return index ? indexEntrySize(table, index, image) : itemSize(image);
  }

  private async refresh(keys: { table: string; key: Item }[]): Promise<void> {
    await Promise.all(
      keys.map(async ({ table, key }) => {
        const { Item: item } = await this.direct.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
        const imageKey = this.imageKey(table, key);
        if (item) this.images.set(imageKey, item);
        else this.images.delete(imageKey);
      }),
    );
  }

  private imageKey(tableName: string, item: Item): string {
    const table = this.tables.get(tableName);
    return JSON.stringify([tableName, ...(table?.keyAttributes ?? []).map((name) => item[name] ?? null)]);
  }
}

function pick(item: Item, names: string[]): Item {
  return Object.fromEntries(names.flatMap((name) => (item[name] ? [[name, item[name]]] : [])));
}

function sameKey(item: Item, key: Item, names: string[]): boolean {
  return names.every((name) => JSON.stringify(item[name]) === JSON.stringify(key[name]));
}

function writeActions(call: MeteredCall): WriteAction[] {
  if (call.service !== 'dynamodb') return [];
  const request = call.request as Record<string, unknown>;
  const table = String(request.TableName);
  switch (call.operation) {
    case 'PutItem':
      return [{ kind: 'Put', table, key: request.Item as Item, item: request.Item as Item, transactional: false }];
    case 'UpdateItem':
      return [{ kind: 'Update', table, key: request.Key as Item, transactional: false }];
    case 'DeleteItem':
      return [{ kind: 'Delete', table, key: request.Key as Item, transactional: false }];
    case 'BatchWriteItem': {
      const unprocessed = ((call.answer ?? {}) as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems ?? {};
      return Object.entries(
        (request.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>,
      ).flatMap(([tableName, requests]) =>
        requests
          .filter((entry) => !(unprocessed[tableName] ?? []).some((left) => JSON.stringify(left) === JSON.stringify(entry)))
          .map((entry): WriteAction =>
            entry.PutRequest
              ? { kind: 'Put', table: tableName, key: entry.PutRequest.Item, item: entry.PutRequest.Item, transactional: false }
              : { kind: 'Delete', table: tableName, key: entry.DeleteRequest?.Key ?? {}, transactional: false },
          ),
      );
    }
    case 'TransactWriteItems':
      return ((request.TransactItems ?? []) as Record<string, { TableName: string; Key?: Item; Item?: Item } | undefined>[]).flatMap(
        (entry): WriteAction[] => {
          if (entry.Put)
            return [{ kind: 'Put', table: entry.Put.TableName, key: entry.Put.Item ?? {}, item: entry.Put.Item, transactional: true }];
          if (entry.Update) return [{ kind: 'Update', table: entry.Update.TableName, key: entry.Update.Key ?? {}, transactional: true }];
          if (entry.Delete) return [{ kind: 'Delete', table: entry.Delete.TableName, key: entry.Delete.Key ?? {}, transactional: true }];
          if (entry.ConditionCheck) {
            return [
              { kind: 'ConditionCheck', table: entry.ConditionCheck.TableName, key: entry.ConditionCheck.Key ?? {}, transactional: true },
            ];
          }
          return [];
        },
      );
    default:
      return [];
  }
}

/** An item's entry on an index, or undefined when the item lacks the index's keys (a sparse index). */
function indexEntry(table: TableDesign, index: IndexDesign, item: Item | undefined): Item | undefined {
  if (!item || !index.keyAttributes.every((name) => item[name] !== undefined)) return undefined;
  if (index.projection === 'ALL') return item;
  const names = [...table.keyAttributes, ...index.keyAttributes, ...(index.projection === 'INCLUDE' ? index.nonKeyAttributes : [])];
  return pick(item, names);
}

function indexEntrySize(table: TableDesign, index: IndexDesign, item: Item): number {
  const entry = indexEntry(table, index, item);
  return entry ? itemSize(entry) : 0;
}

/** Write units a change from `previous` to `next` costs on one index. */
function indexWrites(table: TableDesign, index: IndexDesign, previous: Item | undefined, next: Item | undefined): number {
  const old = indexEntry(table, index, previous);
  const now = indexEntry(table, index, next);
  if (!old && !now) return 0;
  if (!old && now) return writeUnits(itemSize(now));
  if (old && !now) return writeUnits(itemSize(old));
  if (!old || !now) return 0;
  const keyChanged = index.keyAttributes.some((name) => JSON.stringify(old[name]) !== JSON.stringify(now[name]));
  if (keyChanged) return writeUnits(itemSize(old)) + writeUnits(itemSize(now));
  if (JSON.stringify(canonical(old)) === JSON.stringify(canonical(now))) return 0;
  return writeUnits(Math.max(itemSize(old), itemSize(now)));
}

function canonical(item: Item): [string, AttributeValue][] {
  return Object.entries(item).sort(([a], [b]) => a.localeCompare(b));
}
