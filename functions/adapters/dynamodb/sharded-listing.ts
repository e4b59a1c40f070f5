import type { Page } from '../../core/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Item } from './item-reader.js';
import type { Table } from './table.js';

/** A listing whose items are spread over several partitions of the table or of an index (write shards). */
export interface ShardedListing {
  /** Every partition the listing's items can be in; each is read for every page. */
  partitions: readonly string[];
  indexName?: string;
  partitionKey: string;
  /** Unique across the partitions: the order of the listing and the cursor. */
  sortKey: string;
  newestFirst: boolean;
  /** Strongly consistent reads (only the table has them, not an index). */
  consistentRead: boolean;
  /** The shape a cursor's sort key must have. */
  cursorShape: RegExp;
  /** A filter expression over each partition's page (applied after `Limit`, as DynamoDB does) and its values. */
  filter?: { text: string; values: Item };
}

/** What one partition's Query answered: its items in listing order, and where it stopped if it did not reach the end. */
export interface PartitionPage {
  items: Item[];
  stoppedAt: string | null;
}

/**
 * One page of a sharded listing, as one Query with `Limit` would page a single partition: the partitions
 * are read at once from after the cursor, each up to `limit` items (a page can come from one of them
 * alone), and merged by sort key. The cursor stays the last sort key given, so it means the same thing in
 * every partition and the client never sees how many there are.
 */
export async function listShards<T>(
  table: Table,
  listing: ShardedListing,
  page: { limit: number; cursor: string | null },
  view: (item: Item) => T | null,
): Promise<Page<T>> {
  const after = page.cursor === null ? null : decodeCursor(page.cursor, listing.cursorShape);
  const names = { '#partition': listing.partitionKey, ...(after === null ? {} : { '#sort': listing.sortKey }) };
  const answers = await Promise.all(
    listing.partitions.map(async (partition): Promise<PartitionPage> => {
      const answer = await table.query({
        ...(listing.indexName ? { IndexName: listing.indexName } : {}),
        KeyConditionExpression: `#partition = :partition${after === null ? '' : ` AND #sort ${listing.newestFirst ? '<' : '>'} :after`}`,
        ExpressionAttributeNames: names,
        ...(listing.filter ? { FilterExpression: listing.filter.text } : {}),
        ExpressionAttributeValues: {
          ':partition': partition,
          ...(after === null ? {} : { ':after': after }),
          ...listing.filter?.values,
        },
        ScanIndexForward: !listing.newestFirst,
        Limit: page.limit,
        ...(listing.consistentRead ? { ConsistentRead: true } : {}),
      });
      const stoppedAt = answer.lastKey?.[listing.sortKey];
      return { items: answer.items, stoppedAt: typeof stoppedAt === 'string' ? stoppedAt : null };
    }),
  );
  const merged = mergePartitionPages(answers, listing.sortKey, page.limit, listing.newestFirst);
  return {
    items: merged.items.flatMap((item) => view(item) ?? []),
    nextCursor: merged.lastSortKey === null ? null : encodeCursor(merged.lastSortKey),
  };
}

/**
 * Merges the partitions' answers into one page of at most `limit` items in listing order. A partition
 * that stopped early (at `limit`, or at DynamoDB's 1 MB a Query reads) may hold more items right after
 * where it stopped, so nothing beyond the earliest such stop is given: those come on the next page. The
 * page has a cursor when it is full (as a single Query with `Limit` has, whether or not more follow) or
 * when a partition stopped early; it is the last sort key the page covers.
 */
export function mergePartitionPages(
  pages: readonly PartitionPage[],
  sortKey: string,
  limit: number,
  newestFirst: boolean,
): { items: Item[]; lastSortKey: string | null } {
  const direction = newestFirst ? -1 : 1;
  const order = (a: string, b: string) => direction * Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  const keyOf = (item: Item) => String(item[sortKey]);
  const stops = pages.flatMap((page) => (page.stoppedAt === null ? [] : [page.stoppedAt]));
  const bound = stops.length === 0 ? null : stops.reduce((earliest, stop) => (order(stop, earliest) < 0 ? stop : earliest));
  const items = pages
    .flatMap((page) => page.items)
    .filter((item) => bound === null || order(keyOf(item), bound) <= 0)
    .sort((a, b) => order(keyOf(a), keyOf(b)))
    .slice(0, limit);
  const last = items.at(-1);
  if (items.length === limit && last) return { items, lastSortKey: keyOf(last) };
  return { items, lastSortKey: bound };
}
