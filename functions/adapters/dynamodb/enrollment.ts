import { ConditionFailedError } from '../../core/errors.js';
import type { AuditEvent, User } from '../../core/model.js';
import type { EnrollmentCounts } from '../../core/ports.js';
import { userOf } from './codecs/user.js';
import { conditions } from './conditions.js';
import { readEnrollmentCounts } from './enrollment-counts.js';
import { DynamoFactors } from './factors.js';
import { keys } from './keys.js';

/** A BatchGetItem asks for at most 100 keys. */
const maxKeysPerBatch = 100;

/**
 * The user repository's part for enforcement: the enrollment counters (moved by the factor changes and user
 * creation), several profiles at once (the users table's enrolled-at column) and deadline reminders.
 */
export abstract class DynamoEnrollment extends DynamoFactors {
  async getUsers(userIds: readonly string[]): Promise<User[]> {
    const found: User[] = [];
    for (let start = 0; start < userIds.length; start += maxKeysPerBatch) {
      const items = await this.table.getMany(userIds.slice(start, start + maxKeysPerBatch).map((id) => keys.user(id)));
      for (const item of items) if (item) found.push(userOf(item));
    }
    return found;
  }

  getEnrollmentCounts(appId: string, fromDay: string): Promise<EnrollmentCounts> {
    return readEnrollmentCounts(this.table, appId, fromDay);
  }

  async recordDeadlineReminder(userId: string, reminder: { enrollBy: string; daysLeft: number }, audit: AuditEvent): Promise<boolean> {
    const marker = { ...keys.deadlineReminder(userId, reminder.enrollBy, reminder.daysLeft), sentAt: audit.at };
    try {
      await this.table.transact([{ item: this.table.put(marker, conditions.isNew), reason: 'reminder_sent' }, this.writes.audit(audit)]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError && error.reason === 'reminder_sent') return false;
      throw error;
    }
  }
}
