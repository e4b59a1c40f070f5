/** A security event as the local EventBridge stand-in received it. */
export interface PublishedEvent {
  /** The stand-in's id of this delivery (EventBridge's `id`), not the service's `detail.eventId`. */
  id: string;
  source: string;
  'detail-type': string;
  detail: {
    eventId: string;
    type: string;
    appId: string;
    actorId: string;
    at: string;
    targetUserId: string | null;
    targetEmail: string | null;
    detail: Record<string, unknown>;
  };
}

/** The security events published so far for `appId`. */
export async function publishedEvents(appId: string): Promise<PublishedEvent[]> {
  const response = await fetch(`${process.env.TWOFA_EVENTS_URL}/events`);
  return ((await response.json()) as PublishedEvent[]).filter((event) => event.detail.appId === appId);
}

/** Waits until an event of `type` for `userId` is published (the stream delivers within a second or so). */
export async function eventFor(appId: string, type: string, userId: string): Promise<PublishedEvent> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = (await publishedEvents(appId)).find((event) => event.detail.type === type && event.detail.targetUserId === userId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} event for ${userId} was published`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
