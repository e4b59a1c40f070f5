import { ValidationError } from '../../core/errors.js';
import type { Page } from '../../core/ports.js';
import { byteOrder } from './table.js';

/** The sort keys of the two listings, in the DynamoDB store's shapes, so cursors are the same strings. */
export const sortKeyShapes = {
  /** gsi1sk of a user profile: `createdAt#userId`. */
  users: /^\d{4}-\d\d-\d\dT[\d:.]+Z#usr_[\w-]{22}$/,
  /** sk of an audit item: `at#eventId`. */
  auditEvents: /^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f-]{36}$/,
};

/**
 * One page of `records` ordered by their sort key, as a DynamoDB Query with `Limit` pages: after the
 * cursor's key, and with a cursor whenever the page is full (DynamoDB stops at the limit without looking
 * whether more items follow, so a full last page is followed by an empty one).
 */
export function pageOf<T, V>(
  records: readonly T[],
  sortKey: (record: T) => string,
  options: { limit: number; cursor: string | null; shape: RegExp; newestFirst: boolean },
  view: (record: T) => V,
): Page<V> {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError('a listing needs a limit of at least 1');
  const start = options.cursor === null ? null : decodeCursor(options.cursor, options.shape);
  const direction = options.newestFirst ? -1 : 1;
  const keyed = records.map((record) => ({ record, key: sortKey(record) }));
  const page = keyed
    .filter(({ key }) => start === null || direction * byteOrder(key, start) > 0)
    .sort((a, b) => direction * byteOrder(a.key, b.key))
    .slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ record }) => view(record)),
    nextCursor: page.length === options.limit && last ? encodeCursor(last.key) : null,
  };
}

/** Cursors are opaque to clients: the last sort key, base64url-encoded, checked on the way back in. */
function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, shape: RegExp): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(sortKey)) throw new ValidationError([{ path: 'cursor', message: 'Not a cursor this listing returned.' }]);
  return sortKey;
}
