import { dayMs, deadlineFor } from '../enforcement.js';
import type { Dependencies } from '../ports.js';
import { auditEvent } from './common.js';

/** Reminders go out when a deadline is this many days away (at most that many, more than one day fewer). */
const reminderDays = [7, 1] as const;

/** The actor of the reminders' audit entries: the scheduled run, not a person. */
const reminderActor = 'platform:enforcement-reminders';

/** Users read per page of an app's listing. */
const pageSize = 500;

export interface ReminderRun {
  apps: number;
  reminded: number;
  /** True when the run stopped at `deadline` before it went through every app (the next run goes on). */
  cutShort: boolean;
}

/**
 * The scheduled run: for each app whose published config gives users a deadline, finds the users without
 * 2FA whose deadline is `d` days away (more than `d − 1` and at most `d` days, for `d` in `reminderDays`)
 * and records `two_factor.enforcement_deadline_approaching` (detail `daysLeft`, `enrollBy`) for each, which
 * the event publisher sends on as a security event, from which the notifier emails the user. A reminder is
 * recorded once per user, deadline and `daysLeft`, so runs may repeat and overlap (run it every 12 hours:
 * each one-day window then meets at least one run). Stops at `deadline` (epoch ms); each run starts at a
 * random app, so runs cut short still reach every app.
 */
export async function remindEnrollmentDeadlines(deps: Dependencies, input: { deadline: number }): Promise<ReminderRun> {
  const listed = await deps.apps.listAppsWithDeadlines();
  // From a random app on: a run cut short at its deadline does not leave the same apps last every time.
  const offset = Math.floor(Math.random() * listed.length);
  const appIds = [...listed.slice(offset), ...listed.slice(0, offset)];
  let reminded = 0;
  let apps = 0;
  for (const appId of appIds) {
    const app = await deps.apps.getAppRuntime(appId);
    const config = app?.publishedConfig ?? null;
    if (!app || !config) continue;
    apps++;
    let cursor: string | null = null;
    do {
      if (deps.clock() >= input.deadline) return { apps, reminded, cutShort: true };
      const page = await deps.users.listUsers(app.id, pageSize, cursor, { twoFactorEnabled: false });
      const now = deps.clock();
      for (const user of page.items) {
        if (deps.clock() >= input.deadline) return { apps, reminded, cutShort: true };
        const enrollBy = deadlineFor(config, { role: user.role, createdAt: user.createdAt, twoFactorEnabled: user.twoFactorSetupComplete });
        if (enrollBy === null) continue;
        const left = enrollBy - now;
        const daysLeft = reminderDays.find((days) => left > (days - 1) * dayMs && left <= days * dayMs);
        if (daysLeft === undefined) continue;
        const enrollByIso = new Date(enrollBy).toISOString();
        const audit = auditEvent(deps, app.id, 'two_factor.enforcement_deadline_approaching', reminderActor, user.id, {
          daysLeft,
          enrollBy: enrollByIso,
        });
        if (await deps.users.recordDeadlineReminder(user.id, { enrollBy: enrollByIso, daysLeft }, audit)) reminded++;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return { apps, reminded, cutShort: false };
}
