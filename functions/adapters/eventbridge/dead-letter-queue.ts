import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/**
 * Where a security event EventBridge keeps refusing goes, whole: the PutEvents entry it would have put
 * (`EventBusName`, `Source`, `DetailType`, `Time`, `Detail`), as the message body of an SQS queue kept for 14
 * days, from which `npm run cli -- redrive-events` puts it again (docs/SECURITY.md). The table's stream keeps
 * a record for 24 hours only, so a pointer to it would expire long before anyone could act on it.
 */
export class SqsDeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Keeps `entry`, noting EventBridge's refusal (`ErrorCode`) beside it; throws when the queue refuses too. */
  async keep(entry: PutEventsRequestEntry, refusal: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ ...entry, Time: entry.Time?.toISOString() }),
        MessageAttributes: { refusal: { DataType: 'String', StringValue: refusal } },
      }),
    );
  }
}
