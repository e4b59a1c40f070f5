import { describe, expect, it } from '@jest/globals';
import { mergePartitionPages, type PartitionPage } from '../../functions/adapters/dynamodb/sharded-listing.js';

/**
 * The merge behind the sharded listings, on plain answers: what DynamoDB Local cannot easily be made to
 * answer (a partition that stops with no item, several stopping at once) is covered here; the listings
 * themselves run against DynamoDB Local in test/integration/store-sharding.
 */
const page = (keys: string[], stoppedAt: string | null = null): PartitionPage => ({ items: keys.map((sk) => ({ sk })), stoppedAt });
const keysOf = (merged: { items: Record<string, unknown>[] }) => merged.items.map((item) => item.sk);

describe('merging the partitions of a sharded listing', () => {
  it('interleaves the partitions by sort key, in either order, and cuts at the limit with a cursor', () => {
    const ascending = mergePartitionPages([page(['a', 'd', 'e']), page(['b', 'c'])], 'sk', 4, false);
    const descending = mergePartitionPages([page(['e', 'd', 'a']), page(['c', 'b'])], 'sk', 4, true);

    expect(ascending).toEqual({ items: [{ sk: 'a' }, { sk: 'b' }, { sk: 'c' }, { sk: 'd' }], lastSortKey: 'd' });
    expect(descending).toEqual({ items: [{ sk: 'e' }, { sk: 'd' }, { sk: 'c' }, { sk: 'b' }], lastSortKey: 'b' });
  });

  it('gives no cursor when every partition reached its end before the page filled', () => {
    expect(mergePartitionPages([page(['a']), page([]), page(['b'])], 'sk', 5, false)).toEqual({
      items: [{ sk: 'a' }, { sk: 'b' }],
      lastSortKey: null,
    });
  });

  it('gives a full page a cursor even when nothing follows it', () => {
    expect(mergePartitionPages([page(['a']), page(['b'])], 'sk', 2, false).lastSortKey).toBe('b');
  });

  it('gives nothing beyond the earliest place a partition stopped, and continues from there', () => {
    // The second partition stopped (1 MB) after `c`: it may hold `d`, which must come before `e`.
    const merged = mergePartitionPages([page(['a', 'e', 'f']), page(['b', 'c'], 'c'), page(['g'], 'g')], 'sk', 10, false);

    expect(merged).toEqual({ items: [{ sk: 'a' }, { sk: 'b' }, { sk: 'c' }], lastSortKey: 'c' });
  });

  it('continues after the stop of a partition that stopped with nothing to give', () => {
    expect(mergePartitionPages([page(['b', 'd']), page([], 'c')], 'sk', 10, false)).toEqual({ items: [{ sk: 'b' }], lastSortKey: 'c' });
  });

  it('orders sort keys by their UTF-8 bytes, as DynamoDB does', () => {
    // U+FF5E sorts before U+1F600 in UTF-8, after it in UTF-16.
    expect(keysOf(mergePartitionPages([page(['\u{1F600}']), page(['\uFF5E'])], 'sk', 5, false))).toEqual(['\uFF5E', '\u{1F600}']);
  });
});
