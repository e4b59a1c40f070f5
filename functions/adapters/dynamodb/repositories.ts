import type { DocumentClient } from './document-client.js';
import type { Repositories, StoreLimits } from '../../core/ports.js';
import { DynamoAppRepository } from './apps.js';
import { DynamoAuditRepository } from './audit.js';
import { DynamoSessionRepository } from './sessions.js';
import { Table } from './table.js';
import { DynamoUserRepository } from './users.js';
import { SharedWrites } from './writes.js';

/** The store on the single DynamoDB table: one repository per aggregate over one `Table`. */
export function createDynamoRepositories(client: DocumentClient, tableName: string, limits: StoreLimits): Repositories {
  const table = new Table(client, tableName);
  const writes = new SharedWrites(table, limits);
  return {
    apps: new DynamoAppRepository(writes),
    users: new DynamoUserRepository(writes),
    sessions: new DynamoSessionRepository(writes),
    audit: new DynamoAuditRepository(table),
  };
}
