import { type PublishedConfig, type Role, roles } from './model.js';

/**
 * Who must have a second factor, and by when.
 *
 * 2FA is required for a role when the published mode is `required` (every role) or, under `optional`, when
 * the role is in `requiredForRoles`; under `off` nothing is required. The published config records, per
 * role, since when its requirement has held without a break (`requiredSince`), so a user's deadline needs
 * no write at publish time: it is the end of the UTC day `requiredGraceDays` days after the later of that
 * instant and the user's sign-up. With a grace of 0 there is no deadline: a user without a factor must
 * enroll at the next login. Deadlines fall on UTC midnights so that the enrollment report can count the
 * users past theirs from counters bucketed by sign-up day (see docs/enforcement.md).
 */

export const dayMs = 86_400_000;

/** The longest grace period an admin may give (days). */
export const maxRequiredGraceDays = 90;

/** The roles 2FA is required for under `config` (none under `off` or before any publish). */
function requiredRoles(config: Pick<PublishedConfig, 'mode' | 'requiredForRoles'> | null): Role[] {
  if (!config || config.mode === 'off') return [];
  if (config.mode === 'required') return [...roles];
  return roles.filter((role) => config.requiredForRoles.includes(role));
}

export function isRequiredFor(config: PublishedConfig | null, role: Role): boolean {
  return requiredRoles(config).includes(role);
}

/**
 * When each required role's requirement began under `next` (published at `publishedAt`): kept from
 * `previous` for a role that was already required there, else the publish time.
 */
export function requiredSinceAfter(
  previous: PublishedConfig | null,
  next: Pick<PublishedConfig, 'mode' | 'requiredForRoles'>,
  publishedAt: string,
): Partial<Record<Role, string>> {
  const before = requiredRoles(previous);
  const since: Partial<Record<Role, string>> = {};
  for (const role of requiredRoles(next)) since[role] = (before.includes(role) && previous?.requiredSince[role]) || publishedAt;
  return since;
}

/** The UTC day of an instant, `YYYY-MM-DD` (the sign-up day buckets of the enrollment counters). */
export function utcDay(at: string | number): string {
  return new Date(typeof at === 'string' ? Date.parse(at) : at).toISOString().slice(0, 10);
}

/** Epoch ms of the UTC midnight that starts `day`. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** The day `days` after `day`. */
export function addDays(day: string, days: number): string {
  return utcDay(dayStart(day) + days * dayMs);
}

/**
 * The deadline of a user of `createdAt` whose role has been required since `since`, with `graceDays` > 0:
 * the UTC midnight that ends the day `graceDays` days after the later of the two.
 */
function deadlineOf(since: string, createdAt: string, graceDays: number): number {
  const startDay = utcDay(Math.max(Date.parse(since), Date.parse(createdAt)));
  return dayStart(addDays(startDay, graceDays + 1));
}

/** What the published config asks of one user now. */
export type Enforcement =
  /** Nothing: 2FA is not required for the user's role, or the user has a factor. */
  | { kind: 'none' }
  /** Required, with a grace period still running until `enrollBy` (epoch ms). */
  | { kind: 'grace'; enrollBy: number }
  /** Required now: no session until the user enrolls (a grace of 0, or its deadline has passed). */
  | { kind: 'enforced' };

/**
 * The user's deadline (epoch ms), passed or not; null when 2FA is not required for the user's role, the
 * user has a factor, or the grace is 0 (no deadline: enrollment is due at once).
 */
export function deadlineFor(
  config: PublishedConfig | null,
  user: { role: Role; createdAt: string; twoFactorEnabled: boolean },
): number | null {
  const since = config && isRequiredFor(config, user.role) ? config.requiredSince[user.role] : undefined;
  if (user.twoFactorEnabled || !config || since === undefined || config.requiredGraceDays === 0) return null;
  return deadlineOf(since, user.createdAt, config.requiredGraceDays);
}

export function enforcementFor(
  config: PublishedConfig | null,
  user: { role: Role; createdAt: string; twoFactorEnabled: boolean },
  now: number,
): Enforcement {
  if (user.twoFactorEnabled || !isRequiredFor(config, user.role)) return { kind: 'none' };
  const enrollBy = deadlineFor(config, user);
  return enrollBy !== null && now < enrollBy ? { kind: 'grace', enrollBy } : { kind: 'enforced' };
}

/** The deadline to show (`enrollBy`, ISO) while a grace period runs, else null. */
export function enrollByOf(enforcement: Enforcement): string | null {
  return enforcement.kind === 'grace' ? new Date(enforcement.enrollBy).toISOString() : null;
}

/** Whether a config gives users without 2FA a deadline (some role required, with a grace period). */
export function hasDeadlines(config: PublishedConfig | null): boolean {
  return config !== null && config.requiredGraceDays > 0 && requiredRoles(config).length > 0;
}
