import type { AuditEvent } from '../../core/model.js';
import type { AuditRepository, Page } from '../../core/ports.js';
import { auditEventOf } from './codecs/audit.js';
import { keys } from './keys.js';
import { listShards } from './sharded-listing.js';
import type { Table } from './table.js';

/**
 * The audit trail: an app's entries spread over its audit shards (`keys.auditEvent`), each sorted by time,
 * listed newest first across all of them; written by the other repositories' transactions.
 */
export class DynamoAuditRepository implements AuditRepository {
  constructor(private readonly table: Table) {}

  async listAuditEvents(appId: string, limit: number, cursor: string | null): Promise<Page<AuditEvent>> {
    const listing = {
      partitions: keys.auditPartitions(appId),
      partitionKey: 'pk',
      sortKey: 'sk',
      newestFirst: true,
      consistentRead: true,
      cursorShape: /^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f-]{36}$/,
    };
    return listShards(this.table, listing, { limit, cursor }, auditEventOf);
  }
}
