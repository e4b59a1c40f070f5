import type { Repositories, StoreLimits } from '../../core/ports.js';
import { MemoryAppRepository } from './app-repository.js';
import { MemoryAuditRepository } from './audit-repository.js';
import { MemorySessionRepository } from './session-repository.js';
import { MemoryTable } from './table.js';
import { MemoryUserRepository } from './user-repository.js';

/**
 * The store in memory, for tests of the domain rules that need no DynamoDB: the four repositories over one
 * fresh `MemoryTable`, with the DynamoDB store's conditions, reasons and answers (the store contract tests
 * run the same cases against both).
 */
export function createMemoryRepositories(limits: StoreLimits): Repositories {
  const table = new MemoryTable();
  return {
    apps: new MemoryAppRepository(table),
    users: new MemoryUserRepository(table, limits),
    sessions: new MemorySessionRepository(table, limits),
    audit: new MemoryAuditRepository(table),
  };
}
