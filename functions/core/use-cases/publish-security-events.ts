import type { AuditEvent } from '../model.js';
import type { EventPublisher, UserRepository } from '../ports.js';
import { securityEventOf } from '../security-events.js';

/**
 * Publishes audit entries as security events, in order, each with its target user's email. Returns the
 * index of the first entry that could not be published (it and every later one must be retried), or
 * null when all were.
 */
export async function publishSecurityEvents(
  deps: { users: UserRepository; events: EventPublisher },
  audits: AuditEvent[],
): Promise<number | null> {
  const emails = new Map<string, string | null>();
  for (const userId of new Set(audits.map((audit) => audit.targetUserId).filter((id): id is string => id !== null))) {
    emails.set(userId, (await deps.users.getUser(userId))?.email ?? null);
  }
  const events = audits.map((audit) => securityEventOf(audit, audit.targetUserId ? (emails.get(audit.targetUserId) ?? null) : null));
  const failed = await deps.events.publish(events);
  return failed.length > 0 ? Math.min(...failed) : null;
}
