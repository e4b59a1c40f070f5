import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { awsClientSettings, withRequestDeadlines } from '../adapters/aws-client-settings.js';
import { auditEventOf } from '../adapters/dynamodb/codecs/audit.js';
import { SqsDeadLetters } from '../adapters/eventbridge/dead-letter-queue.js';
import { EventBridgePublisher } from '../adapters/eventbridge/event-publisher.js';
import { deadLetterQueueUrl, eventBusName } from '../commons/config.js';
import { dependencies } from '../commons/table-dependencies.js';
import { beginInvocation, logger } from '../commons/logger.js';
import { deadlineOf, withinDeadline } from '../commons/request-deadline.js';
import { traced } from '../commons/tracing.js';
import type { AuditEvent } from '../core/model.js';
import { publishSecurityEvents } from '../core/use-cases/publish-security-events.js';
import { eventsStep } from '../routes.js';

let publisher: EventBridgePublisher | undefined;

/**
 * Reads new audit entries from the table's stream and publishes them as security events. An event EventBridge
 * keeps refusing goes whole to the dead-letter queue; a batch that still fails part-way (the queue refused
 * too) reports its first unpublished record, so the stream retries from there (the event source mapping
 * reports batch item failures) and nothing is lost; repeats carry the same `eventId`.
 */
export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  beginInvocation(context, { step: eventsStep.step, correlationId: context.awsRequestId });
  return traced(eventsStep.step, () => withinDeadline(deadlineOf(context), () => publishBatch(event)));
};

async function publishBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const entries: { sequenceNumber: string; audit: AuditEvent }[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image || !record.dynamodb?.SequenceNumber) continue;
    const audit = auditEventOf(unmarshall(image as Record<string, AttributeValue>));
    if (audit) entries.push({ sequenceNumber: record.dynamodb.SequenceNumber, audit });
  }
  if (entries.length === 0) return { batchItemFailures: [] };

  publisher ??= new EventBridgePublisher(
    withRequestDeadlines(new EventBridgeClient({ ...awsClientSettings })),
    eventBusName(),
    new SqsDeadLetters(withRequestDeadlines(new SQSClient({ ...awsClientSettings })), deadLetterQueueUrl()),
  );
  let firstFailed: number | null;
  try {
    firstFailed = await publishSecurityEvents(
      { users: dependencies().users, events: publisher },
      entries.map((entry) => entry.audit),
    );
  } catch (error) {
    logger.warn('could not prepare security events; the stream retries the batch', {
      errorName: error instanceof Error ? error.name : typeof error,
    });
    firstFailed = 0;
  }
  if (firstFailed === null) return { batchItemFailures: [] };
  logger.warn('security events neither published nor kept in the dead-letter queue; the stream retries them', {
    unpublished: entries.length - firstFailed,
  });
  const first = entries[firstFailed];
  // Failing the whole batch makes the stream deliver it again: safer than reporting nothing failed.
  if (!first) throw new Error('the first unpublished record is not in the batch');
  return { batchItemFailures: [{ itemIdentifier: first.sequenceNumber }] };
}
