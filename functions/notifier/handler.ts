import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { awsClientSettings } from '../adapters/aws-client-settings.js';
import { DocumentClient } from '../adapters/dynamodb/document-client.js';
import { DynamoNotificationLog } from '../adapters/dynamodb/notifications.js';
import { Table } from '../adapters/dynamodb/table.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { sesSender, tableName } from '../commons/config.js';
import { logger } from '../commons/logger.js';
import { dependencies } from '../commons/table-dependencies.js';
import { type NotifierDependencies, notifySecurityEvent } from '../core/use-cases/notify-security-event.js';

/** The `detail` of a security event (functions/core/security-events.ts); `targetEmail` is not trusted for the address. */
const securityEventDetail = z.object({
  eventId: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  appId: z.string().min(1).max(200),
  at: z.string().min(1).max(100),
  actorId: z.string().min(1).max(300),
  targetUserId: z.string().min(1).max(200).nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

let built: NotifierDependencies | undefined;

function notifierDependencies(): NotifierDependencies {
  if (!built) {
    const { users, apps, clock } = dependencies();
    built = {
      users,
      apps,
      clock,
      notifications: new DynamoNotificationLog(new Table(new DocumentClient(), tableName())),
      mailer: new SesMailer(new SESv2Client({ ...awsClientSettings }), sesSender()),
    };
  }
  return built;
}

/**
 * Invoked by the rule on the security-event bus (source `two-factor`), once per event and at least once: sends
 * the user the event's email through SES, or nothing when it was sent already. A failure to read or send throws,
 * so Lambda retries the event (then the dead-letter queue keeps it); a malformed event is logged and dropped,
 * since no retry would mend it. Logs name the event, never the address or the email's content.
 */
export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  const parsed = securityEventDetail.safeParse(event.detail);
  if (!parsed.success) {
    logger.error('a security event without the expected detail; dropped', { eventBridgeId: event.id, detailType: event['detail-type'] });
    return;
  }
  const outcome = await notifySecurityEvent(notifierDependencies(), parsed.data);
  const facts = { eventId: parsed.data.eventId, type: parsed.data.type, outcome };
  if (outcome === 'sent_unrecorded') logger.warn('security email sent, but not recorded: a redelivery may send it again', facts);
  else logger.info('security event handled', facts);
};
