import type { AuditEvent, AuditEventType } from './model.js';

/**
 * What the service tells a portal about an app, one event per audit entry, so the portal can e.g. email
 * the user ("two-factor authentication was turned off on your account"). Delivery is at least once:
 * consumers drop repeats by `eventId`.
 */
export interface SecurityEvent {
  eventId: string;
  type: AuditEventType;
  appId: string;
  at: string;
  /** Who did it: a user id, `platform:<who>`, or `anonymous` (a password lockout). */
  actorId: string;
  targetUserId: string | null;
  /** The target user's email, when the user still exists, so the portal can tell them. */
  targetEmail: string | null;
  /** Type-specific facts, e.g. `backupCodesRemaining`, `retryAfterSeconds`, `reason`. */
  detail: Record<string, string | number | boolean>;
}

/** The source of every event the service publishes (EventBridge `source`). */
export const securityEventSource = 'two-factor';

export function securityEventOf(audit: AuditEvent, targetEmail: string | null): SecurityEvent {
  return {
    eventId: audit.id,
    type: audit.type,
    appId: audit.appId,
    at: audit.at,
    actorId: audit.actorId,
    targetUserId: audit.targetUserId,
    targetEmail,
    detail: audit.detail ?? {},
  };
}

/**
 * The reminder a scheduled scan publishes (7 days and 1 day before) for a user who must set up 2FA by a
 * deadline: `detail` carries `daysLeft` and, when known, `enrollBy` (ISO time). Not an audit entry type:
 * nothing the user or an admin did.
 */
export const enforcementDeadlineApproaching = 'two_factor.enforcement_deadline_approaching';

/** A security event type the notifier knows: every audit entry type, and the deadline reminder. */
export type SecurityEventType = AuditEventType | typeof enforcementDeadlineApproaching;

/** The event types that send the affected user an email (the notifier's EventBridge rule matches these). */
export const securityEmailEventTypes = [
  'two_factor.enrolled',
  'two_factor.disabled',
  'two_factor.reset',
  'backup_code.used',
  'backup_codes.regenerated',
  'device.remembered',
  'two_factor.locked_out',
  'password.locked_out',
  enforcementDeadlineApproaching,
] as const satisfies readonly SecurityEventType[];

export type SecurityEmailEventType = (typeof securityEmailEventTypes)[number];
