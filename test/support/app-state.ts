import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { documentClient } from './api.js';

/**
 * Everything the table holds for one app, as stable text, to prove that a refused request changed
 * nothing: the app's own partitions (app, settings, config versions, data keys, audit log, email
 * claims), every item that names the app (users, sessions, challenges), every item under those users'
 * partitions (factor, pending enrollment, backup codes), and their password failure counts. Reads the
 * whole table: the local table of a test run is small, and a scan also sees items written where no key
 * builder would look.
 */
export async function appState(appId: string): Promise<string[]> {
  const client = documentClient();
  const items: Record<string, unknown>[] = [];
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: process.env.TWOFA_TABLE_NAME, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  const profiles = items.filter((item) => item.appId === appId && item.sk === keys.user('').sk);
  const partitions = new Set([
    keys.app(appId).pk,
    ...keys.auditPartitions(appId),
    ...profiles.map((profile) => String(profile.pk)),
    ...profiles.map((profile) => keys.passwordFailures(appId, String(profile.email)).pk),
  ]);
  const emailClaims = keys.emailClaim(appId, '').pk;
  return items
    .filter((item) => item.appId === appId || partitions.has(String(item.pk)) || String(item.pk).startsWith(emailClaims))
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
