import type { AuditEvent } from '../model.js';
import type { Dependencies } from '../ports.js';
import { authenticateAdmin } from './authenticate.js';

export async function listAuditEvents(
  deps: Dependencies,
  input: { appId: string; token: string | null; limit: number; cursor: string | null },
): Promise<{ events: Omit<AuditEvent, 'appId'>[]; nextCursor: string | null }> {
  await authenticateAdmin(deps, input.appId, input.token);
  const page = await deps.audit.listAuditEvents(input.appId, input.limit, input.cursor);
  return { events: page.items.map(({ appId: _appId, ...event }) => event), nextCursor: page.nextCursor };
}
