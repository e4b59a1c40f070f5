import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './api.js';

/**
 * Everything the table holds for one app, as stable text, to prove that a refused request changed
 * nothing: the app's own partitions (app, settings, config versions, data keys, audit log, email
 * claims), every item that names the app (users, sessions, challenges), and every item under those
 * users' partitions (factor, pending enrollment, backup codes). Reads the whole table: the local table
 * of a test run is small, and a scan also sees items written where no key builder would look.
 */
export async function appState(appId: string): Promise<string[]> {
  const client = documentClient();
  const items: Record<string, unknown>[] = [];
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: process.env.TWOFA_TABLE_NAME, ExclusiveStartKey: startKey, ConsistentRead: true }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  const userPartitions = new Set(items.filter((item) => item.appId === appId && item.sk === 'PROFILE').map((item) => item.pk));
  const appPartitions = new Set([`APP#${appId}`, `AUDIT#${appId}`]);
  return items
    .filter((item) => {
      const pk = String(item.pk);
      return item.appId === appId || appPartitions.has(pk) || pk.startsWith(`EMAIL#${appId}#`) || userPartitions.has(pk);
    })
    .map(stableJson)
    .sort();
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, element: unknown) => {
    if (element instanceof Set) return [...element].sort();
    if (element instanceof Uint8Array) return Buffer.from(element).toString('base64');
    if (element && typeof element === 'object' && !Array.isArray(element)) {
      return Object.fromEntries(Object.entries(element as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return element;
  });
}
