import { randomUUID } from 'node:crypto';
import type { Clock } from '../model.js';
import type { AppRepository, Mailer, NotificationLog, UserRepository } from '../ports.js';
import { type ResetActor, securityEmail } from '../security-emails.js';
import { type SecurityEmailEventType, securityEmailEventTypes } from '../security-events.js';

/** A security event as the bus delivers it (`detail` of source `two-factor`). */
export interface DeliveredSecurityEvent {
  eventId: string;
  type: string;
  appId: string;
  at: string;
  actorId: string;
  targetUserId: string | null;
  detail: Record<string, string | number | boolean>;
}

/** `sent_unrecorded`: the email went out but recording it failed (a redelivery after the lease would send it again). */
export type NotifyOutcome = 'sent' | 'sent_unrecorded' | 'not_emailed' | 'no_recipient' | 'already_sent';

export interface NotifierDependencies {
  users: UserRepository;
  apps: AppRepository;
  notifications: NotificationLog;
  mailer: Mailer;
  clock: Clock;
}

/**
 * How long a delivery holds its claim: longer than the function's timeout, so a slow delivery is never sent
 * a second time beside it, and short enough that one that died before sending is retried (Lambda retries
 * an asynchronous invocation after about a minute).
 */
const claimLeaseMs = 60_000;

/** Redeliveries come within EventBridge's 24 hours of retries and Lambda's 6 hours: keep each record 3 days. */
const notificationKeptSeconds = 3 * 24 * 3600;

/**
 * Lockouts can be set off by anyone who knows an email address, over and over: one email per user and kind
 * of lockout an hour tells the owner without letting a stranger flood their inbox.
 */
const lockoutEmailWindowMs = 3600_000;

function isEmailed(type: string): type is SecurityEmailEventType {
  return (securityEmailEventTypes as readonly string[]).includes(type);
}

function notificationKey(event: DeliveredSecurityEvent & { targetUserId: string }): string {
  if (event.type !== 'two_factor.locked_out' && event.type !== 'password.locked_out') return event.eventId;
  const window = Math.floor(Date.parse(event.at) / lockoutEmailWindowMs);
  return `${event.type}#${event.targetUserId}#${Number.isNaN(window) ? event.eventId : window}`;
}

async function resetActorOf(deps: NotifierDependencies, event: DeliveredSecurityEvent): Promise<ResetActor> {
  if (event.actorId === 'platform' || event.actorId.startsWith('platform:')) return { kind: 'platform' };
  const admin = await deps.users.getUser(event.actorId);
  return admin && admin.appId === event.appId ? { kind: 'admin', email: admin.email } : { kind: 'unknown' };
}

/**
 * Emails the user a security event is about, at most once per event (lockouts: once an hour). The address
 * and the app's name are read from the table, not taken from the event: a user who was deleted, or belongs to
 * another app, gets nothing, and an event about an email nobody signed up with (a password spray) names no
 * user at all. A failed send gives the claim back and throws, so the delivery is retried.
 */
export async function notifySecurityEvent(deps: NotifierDependencies, event: DeliveredSecurityEvent): Promise<NotifyOutcome> {
  const { type, targetUserId } = event;
  if (!isEmailed(type)) return 'not_emailed';
  if (!targetUserId) return 'no_recipient';
  const [user, app] = await Promise.all([deps.users.getUser(targetUserId), deps.apps.getAppRuntime(event.appId)]);
  if (!user || !app || user.appId !== event.appId || !user.email) return 'no_recipient';

  const email = securityEmail({
    type,
    at: event.at,
    detail: event.detail,
    appName: app.name,
    recipient: user.email,
    ...(type === 'two_factor.reset' ? { resetBy: await resetActorOf(deps, event) } : {}),
  });

  const key = notificationKey({ ...event, targetUserId });
  const claimId = randomUUID();
  const now = deps.clock();
  const expiresAt = Math.ceil(now / 1000) + notificationKeptSeconds;
  if (!(await deps.notifications.claim({ key, claimId, now, leaseUntil: now + claimLeaseMs, expiresAt }))) return 'already_sent';
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({ to: user.email, ...email }));
  } catch (error) {
    await deps.notifications.release({ key, claimId, expiresAt }).catch(() => undefined);
    throw error;
  }
  // Sent: should this record fail, the lease still stops redeliveries for a minute, and a later one sends again
  // (a second email rather than none). The send is not undone by failing the delivery.
  return deps.notifications.markSent({ key, claimId, messageId, sentAt: deps.clock(), expiresAt }).then(
    () => 'sent',
    () => 'sent_unrecorded',
  );
}
