import { utcDay } from '../../core/enforcement.js';
import { type AuditEvent, roles, type User } from '../../core/model.js';
import type { EnrollmentCounts, EnrollmentDelta } from '../../core/ports.js';
import { auditPut } from './steps.js';
import { type MemoryTable, type Step, atomically, keyOf, transact } from './table.js';

/**
 * The enrollment counters and deadline reminders of `MemoryUserRepository`, as the DynamoDB store keeps
 * them (its shards are a DynamoDB matter: here each counter is one record).
 */

/** The step that moves a user's counters (its role's total and its sign-up day) by `delta`. */
export function counterMove(table: MemoryTable, user: Pick<User, 'appId' | 'role' | 'createdAt'>, delta: EnrollmentDelta): Step {
  const add = (bucket: string) => {
    const key = keyOf(user.appId, user.role, bucket);
    const counts = table.enrollmentCounts.get(key) ?? { appId: user.appId, role: user.role, bucket, users: 0, enrolled: 0 };
    table.enrollmentCounts.put(key, { ...counts, users: counts.users + delta.users, enrolled: counts.enrolled + delta.enrolled });
  };
  return {
    write: () => {
      add('TOTAL');
      add(utcDay(user.createdAt));
    },
  };
}

export function enrollmentCounts(table: MemoryTable, appId: string, fromDay: string): Promise<EnrollmentCounts> {
  return atomically(() => {
    const counts = {} as EnrollmentCounts;
    for (const role of roles) {
      const total = table.enrollmentCounts.get(keyOf(appId, role, 'TOTAL'));
      // Days as the DynamoDB store's range query finds them: from `fromDay` on, oldest first.
      const byDay = table.enrollmentCounts
        .where((counter) => counter.appId === appId && counter.role === role && counter.bucket !== 'TOTAL' && counter.bucket >= fromDay)
        .sort((a, b) => a.bucket.localeCompare(b.bucket))
        .map((counter) => ({ day: counter.bucket, users: counter.users, enrolled: counter.enrolled }));
      counts[role] = { users: total?.users ?? 0, enrolled: total?.enrolled ?? 0, byDay };
    }
    return counts;
  });
}

export function recordDeadlineReminder(
  table: MemoryTable,
  userId: string,
  reminder: { enrollBy: string; daysLeft: number },
  audit: AuditEvent,
): Promise<boolean> {
  return atomically(() => {
    const key = keyOf(userId, reminder.enrollBy, reminder.daysLeft);
    if (table.deadlineReminders.has(key)) return false;
    transact([{ write: () => table.deadlineReminders.put(key, audit.at) }, auditPut(table, audit)]);
    return true;
  });
}
