import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../../core/ports.js';
import { type SecurityEvent, securityEventSource } from '../../core/security-events.js';

/** PutEvents takes at most 10 entries a call. */
const maxEntriesPerCall = 10;

/** Puts security events on the service's event bus: `source` two-factor, `detail-type` the event type. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: SecurityEvent[]): Promise<number[]> {
    const failed: number[] = [];
    for (let first = 0; first < events.length; first += maxEntriesPerCall) {
      const batch = events.slice(first, first + maxEntriesPerCall);
      try {
        const result = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: this.eventBusName,
              Source: securityEventSource,
              DetailType: event.type,
              Time: new Date(event.at),
              Detail: JSON.stringify(event),
            })),
          }),
        );
        (result.Entries ?? []).forEach((entry, index) => {
          if (entry.ErrorCode) failed.push(first + index);
        });
      } catch {
        batch.forEach((_, index) => failed.push(first + index));
      }
      // The stream retries from the first failure on: publishing later chunks now would send them twice.
      if (failed.length > 0) return [...failed, ...events.slice(first + batch.length).map((_, index) => first + batch.length + index)];
    }
    return failed;
  }
}
