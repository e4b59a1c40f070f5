import type { AuditEvent } from '../../core/model.js';
import type { AuditRepository, Page } from '../../core/ports.js';
import { pageOf, sortKeyShapes } from './listing.js';
import { type MemoryTable, atomically } from './table.js';

/** The in-memory AuditRepository: an app's audit trail, newest first, as the DynamoDB store lists it. */
export class MemoryAuditRepository implements AuditRepository {
  constructor(private readonly table: MemoryTable) {}

  listAuditEvents(appId: string, limit: number, cursor: string | null): Promise<Page<AuditEvent>> {
    return atomically(() =>
      pageOf(
        this.table.auditEvents.where((event) => event.appId === appId),
        (event) => `${event.at}#${event.id}`,
        { limit, cursor, shape: sortKeyShapes.auditEvents, newestFirst: true },
        (event) => event,
      ),
    );
  }
}
