import type { NotificationLog } from '../../core/ports.js';
import { keys } from './keys.js';
import type { Expression, Table } from './table.js';

/**
 * The notifier's conditions (beside the table's others in spirit; kept here because only this log uses them).
 * A claim is free when no delivery holds it: never claimed, or claimed by one that neither sent nor renewed
 * it before its lease ran out (it died before sending). Two deliveries of one event race for it; one wins.
 */
const claimable = (now: number): Expression => ({
  text: 'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND leaseUntil < :now)',
  values: { ':now': now },
});
/** Only the delivery holding the claim records the send or gives it back; a stale one changes nothing. */
const heldBy = (claimId: string): Expression => ({ text: 'claimId = :claimId', values: { ':claimId': claimId } });

/**
 * The notification log on the service table: one item per security email, `NOTIFY#<key>`, every write a
 * conditional PutItem (the notifier's role may put these items and nothing else), deleted by the table's TTL.
 */
export class DynamoNotificationLog implements NotificationLog {
  constructor(private readonly table: Table) {}

  async claim(input: { key: string; claimId: string; now: number; leaseUntil: number; expiresAt: number }): Promise<boolean> {
    const item = { ...keys.notification(input.key), claimId: input.claimId, leaseUntil: input.leaseUntil, expiresAt: input.expiresAt };
    return (await this.table.writeUnlessRefused(this.table.put(item, claimable(input.now)))) === null;
  }

  async markSent(input: { key: string; claimId: string; messageId: string; sentAt: number; expiresAt: number }): Promise<void> {
    const item = {
      ...keys.notification(input.key),
      claimId: input.claimId,
      messageId: input.messageId,
      sentAt: input.sentAt,
      expiresAt: input.expiresAt,
    };
    await this.table.writeUnlessRefused(this.table.put(item, heldBy(input.claimId)));
  }

  async release(input: { key: string; claimId: string; expiresAt: number }): Promise<void> {
    const item = { ...keys.notification(input.key), claimId: input.claimId, leaseUntil: 0, expiresAt: input.expiresAt };
    await this.table.writeUnlessRefused(this.table.put(item, heldBy(input.claimId)));
  }
}
