import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../../core/ports.js';
import { type SecurityEvent, securityEventSource } from '../../core/security-events.js';
import type { SqsDeadLetters } from './dead-letter-queue.js';

/** PutEvents takes at most 10 entries a call. */
const maxEntriesPerCall = 10;
/**
 * PutEvents calls for an entry EventBridge refused on its own (`ErrorCode` in an answer that succeeded), which
 * the SDK does not retry; a call that fails whole is retried by the SDK itself (`awsClientSettings`).
 */
const entryAttempts = 3;

/**
 * Puts security events on the service's event bus: `source` two-factor, `detail-type` the event type. An
 * event EventBridge still refuses after the retries goes whole to the dead-letter queue; only one the queue
 * refuses too counts as not published, so the stream delivers it again.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly deadLetters: SqsDeadLetters,
  ) {}

  async publish(events: SecurityEvent[]): Promise<number[]> {
    for (let first = 0; first < events.length; first += maxEntriesPerCall) {
      const entries = events.slice(first, first + maxEntriesPerCall).map((event) => this.entryOf(event));
      const refused = await this.put(entries);
      for (const [index, refusal] of refused) {
        const entry = entries[index];
        const kept =
          entry !== undefined &&
          (await this.deadLetters.keep(entry, refusal).then(
            () => true,
            () => false,
          ));
        // The stream retries from the first failure on: publishing later events now would send them twice.
        if (!kept) return events.map((_, at) => at).slice(first + index);
      }
    }
    return [];
  }

  private entryOf(event: SecurityEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: securityEventSource,
      DetailType: event.type,
      Time: new Date(event.at),
      Detail: JSON.stringify(event),
    };
  }

  /** Puts the entries, again for those refused one by one; returns what is still refused, by index, and why. */
  private async put(entries: PutEventsRequestEntry[]): Promise<Map<number, string>> {
    let refused = new Map(entries.map((_, index) => [index, 'NotPut']));
    for (let attempt = 1; attempt <= entryAttempts && refused.size > 0; attempt++) {
      const pending = [...refused.keys()];
      try {
        const result = await this.client.send(new PutEventsCommand({ Entries: pending.map((index) => entries[index] ?? {}) }));
        const next = new Map<number, string>();
        pending.forEach((index, at) => {
          const errorCode = result.Entries?.[at]?.ErrorCode;
          if (errorCode) next.set(index, errorCode);
        });
        refused = next;
      } catch (error) {
        // The SDK has retried the call already (to the request's deadline); the entries go to the queue.
        const reason = error instanceof Error ? error.name : 'PutEventsFailed';
        return new Map(pending.map((index) => [index, reason]));
      }
    }
    return refused;
  }
}
