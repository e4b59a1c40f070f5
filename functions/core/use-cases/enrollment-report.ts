import { addDays, dayStart, isRequiredFor, utcDay } from '../enforcement.js';
import { type PublishedConfig, type Role, roles, type TwoFactorMode } from '../model.js';
import type { Dependencies, RoleEnrollmentCounts } from '../ports.js';
import { effectiveMode } from '../plans.js';
import { authenticateAdmin } from './authenticate.js';

/** How many users of a role (or all) have 2FA, and of those without, how many are pending and overdue. */
interface EnrollmentTally {
  users: number;
  enrolled: number;
  notEnrolled: number;
  /** Without 2FA, required, and their deadline still ahead. */
  pending: number;
  /** Without 2FA, required, and their deadline passed (or there is no grace): they must enroll at the next login. */
  overdue: number;
}

interface RoleEnrollmentReport extends EnrollmentTally {
  role: Role;
  required: boolean;
  requiredSince: string | null;
  /** The pending users by deadline, soonest first. */
  pendingByDeadline: { enrollBy: string; users: number }[];
}

export interface EnrollmentReport {
  asOf: string;
  mode: TwoFactorMode;
  requiredGraceDays: number;
  totals: EnrollmentTally;
  roles: RoleEnrollmentReport[];
}

/**
 * The enrollment report, from counters only (no read of the users): per role, the users and the enrolled
 * ones in total and per sign-up day of the last `grace + 1` days. The arithmetic is in docs/enforcement.md.
 */
export async function enrollmentReport(deps: Dependencies, input: { appId: string; token: string | null }): Promise<EnrollmentReport> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  const now = deps.clock();
  const config = app.publishedConfig;
  const grace = config?.requiredGraceDays ?? 0;
  const today = utcDay(now);
  // The users who signed up on this day or later may still be pending: their deadlines lie ahead.
  const firstPendingDay = addDays(today, -grace);
  const counts = await deps.users.getEnrollmentCounts(app.id, firstPendingDay);
  const perRole = roles.map((role) => roleReport(role, counts[role], config, firstPendingDay));
  const sum = (field: keyof EnrollmentTally) => perRole.reduce((total, report) => total + report[field], 0);
  return {
    asOf: new Date(now).toISOString(),
    mode: effectiveMode(config),
    requiredGraceDays: grace,
    totals: {
      users: sum('users'),
      enrolled: sum('enrolled'),
      notEnrolled: sum('notEnrolled'),
      pending: sum('pending'),
      overdue: sum('overdue'),
    },
    roles: perRole,
  };
}

/**
 * One role's tally. A user without 2FA whose role is required since `S` has the deadline `max(day(S),
 * day(signup)) + grace + 1` (a UTC midnight), so is pending exactly when that later day is on or after
 * `firstPendingDay` (today − grace): everyone of those days is counted per day, everyone before is overdue.
 */
function roleReport(
  role: Role,
  counts: RoleEnrollmentCounts,
  config: PublishedConfig | null,
  firstPendingDay: string,
): RoleEnrollmentReport {
  const notEnrolled = counts.users - counts.enrolled;
  const base = { role, users: counts.users, enrolled: counts.enrolled, notEnrolled };
  const since = config && isRequiredFor(config, role) ? (config.requiredSince[role] ?? null) : null;
  if (!config || !isRequiredFor(config, role)) {
    return { ...base, required: false, requiredSince: null, pending: 0, overdue: 0, pendingByDeadline: [] };
  }
  const grace = config.requiredGraceDays;
  if (grace === 0 || since === null) {
    return { ...base, required: true, requiredSince: since, pending: 0, overdue: notEnrolled, pendingByDeadline: [] };
  }
  const deadline = (day: string) => new Date(dayStart(addDays(day, grace + 1))).toISOString();
  const sinceDay = utcDay(since);
  const unenrolledOn = (day: { users: number; enrolled: number }) => day.users - day.enrolled;
  const pendingByDeadline: { enrollBy: string; users: number }[] = [];
  let pending = 0;
  if (sinceDay >= firstPendingDay) {
    // Everyone who signed up up to the day the requirement began shares its deadline.
    const later = counts.byDay.filter((day) => day.day > sinceDay);
    const cohort = notEnrolled - later.reduce((total, day) => total + unenrolledOn(day), 0);
    pendingByDeadline.push({ enrollBy: deadline(sinceDay), users: cohort });
    for (const day of later) pendingByDeadline.push({ enrollBy: deadline(day.day), users: unenrolledOn(day) });
  } else {
    for (const day of counts.byDay) {
      if (day.day >= firstPendingDay) pendingByDeadline.push({ enrollBy: deadline(day.day), users: unenrolledOn(day) });
    }
  }
  const listed = pendingByDeadline.filter((entry) => entry.users > 0);
  for (const entry of listed) pending += entry.users;
  return { ...base, required: true, requiredSince: since, pending, overdue: notEnrolled - pending, pendingByDeadline: listed };
}
