import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** What one redrive did: events put again (and deleted from the queue), refused again (left there), not events. */
export interface RedriveSummary {
  redriven: number;
  refused: number;
  notEvents: number;
}

/** A message the event publisher kept: the PutEvents entry, `Time` as an ISO string. */
function entryOf(message: Message): PutEventsRequestEntry | null {
  try {
    const body = JSON.parse(message.Body ?? '') as Record<string, unknown>;
    const { EventBusName, Source, DetailType, Detail, Time } = body;
    if (typeof EventBusName !== 'string' || typeof Source !== 'string' || typeof DetailType !== 'string' || typeof Detail !== 'string')
      return null;
    return { EventBusName, Source, DetailType, Detail, ...(typeof Time === 'string' ? { Time: new Date(Time) } : {}) };
  } catch {
    return null;
  }
}

/**
 * `npm run cli -- redrive-events --queue-url <url>`: puts every security event kept in the dead-letter queue
 * back on its bus, as it would have been put, and deletes each message once EventBridge took its event.
 * A message EventBridge refuses again stays (visible again after 5 minutes); one that is no event (the
 * stream's own on-failure record of a batch, the last resort, which points at records the stream keeps 24
 * hours) stays too and is counted, to be looked at by hand (docs/SECURITY.md).
 */
export async function redriveEvents(queueUrl: string): Promise<RedriveSummary> {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});
  const summary: RedriveSummary = { redriven: 0, refused: 0, notEvents: 0 };
  try {
    for (;;) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 0 }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) return summary;
      const kept = messages.flatMap((message) => {
        const entry = entryOf(message);
        if (!entry) summary.notEvents++;
        return entry ? [{ message, entry }] : [];
      });
      if (kept.length === 0) continue;
      const result = await events.send(new PutEventsCommand({ Entries: kept.map(({ entry }) => entry) }));
      for (const [index, { message }] of kept.entries()) {
        if (result.Entries?.[index]?.ErrorCode || !message.ReceiptHandle) {
          summary.refused++;
          continue;
        }
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        summary.redriven++;
      }
    }
  } finally {
    sqs.destroy();
    events.destroy();
  }
}
