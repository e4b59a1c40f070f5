import type { AuditEvent } from '../../core/model.js';
import type { AuditRepository, Page } from '../../core/ports.js';
import { auditEventOf } from './codecs/audit.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keys } from './keys.js';
import type { Table } from './table.js';

/** The audit trail: every entry of an app under `AUDIT#<appId>`, sorted by time; written by the other repositories' transactions. */
export class DynamoAuditRepository implements AuditRepository {
  constructor(private readonly table: Table) {}

  async listAuditEvents(appId: string, limit: number, cursor: string | null): Promise<Page<AuditEvent>> {
    const start = cursor === null ? undefined : decodeCursor(cursor, /^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f-]{36}$/);
    const partition = keys.auditPartition(appId);
    const page = await this.table.query({
      KeyConditionExpression: 'pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: { pk: partition, sk: start } } : {}),
    });
    const lastSortKey = page.lastKey?.sk;
    return {
      items: page.items.flatMap((item) => auditEventOf(item) ?? []),
      nextCursor: typeof lastSortKey === 'string' ? encodeCursor(lastSortKey) : null,
    };
  }
}
