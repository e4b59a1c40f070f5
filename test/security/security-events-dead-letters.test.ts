import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { totpCode } from '../support/authenticator.js';
import { call, createTestApp, signUp } from '../support/api.js';
import { type PublishedEvent, eventFor, publishedEvents } from '../support/events.js';
import { type FaultRule, faultSwitch } from '../support/faults.js';
import { decodeQrDataUrl } from '../support/qr.js';

/** A message of the dead-letter queue's local stand-in. */
interface DeadLetter {
  MessageId: string;
  Body: string;
  MessageAttributes: Record<string, { StringValue?: string }>;
}

async function deadLetters(): Promise<DeadLetter[]> {
  return (await (await fetch(`${process.env.TWOFA_DEAD_LETTERS_URL}/messages`)).json()) as DeadLetter[];
}

/** Waits for the dead letter of the event of `type` for `userId`. */
async function deadLetterFor(type: string, userId: string): Promise<DeadLetter> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await deadLetters()).find((letter) => letter.Body.includes(type) && letter.Body.includes(userId));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no dead letter of ${type} for ${userId}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Links an authenticator to a signed-up user: its `two_factor.enrolled` audit entry then goes to the stream. */
async function enroll(appId: string, token: string): Promise<void> {
  const started = await call('POST', `/v1/apps/${appId}/2fa/enrollment`, { token });
  const secret = new URL(decodeQrDataUrl(started.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
  const confirmed = await call('POST', `/v1/apps/${appId}/2fa/enrollment/confirm`, { token, body: { code: totpCode(secret) } });
  expect(confirmed.status).toBe(200);
}

const refusal = { status: 500, type: 'InternalException', message: 'injected: EventBridge is failing' };

describe('security events EventBridge keeps refusing', () => {
  const faults = faultSwitch(`dead-letters-${randomBytes(6).toString('hex')}`);
  afterEach(() => faults.clear());

  it('are kept whole in the dead-letter queue, the entry EventBridge would have been given, and redriven from there', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUp(app);
    await faults.inject([{ service: 'events', operation: 'PutEvents', bodyIncludes: user.userId, ...refusal }]);

    await enroll(app.appId, user.token);
    const letter = await deadLetterFor('two_factor.enrolled', user.userId);

    const entry = JSON.parse(letter.Body);
    expect(entry).toEqual({
      EventBusName: 'two-factor-security-events',
      Source: 'two-factor',
      DetailType: 'two_factor.enrolled',
      Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      Detail: expect.any(String),
    });
    expect(JSON.parse(entry.Detail)).toMatchObject({
      eventId: expect.any(String),
      type: 'two_factor.enrolled',
      appId: app.appId,
      actorId: user.userId,
      targetUserId: user.userId,
      targetEmail: user.email,
    });
    expect(letter.MessageAttributes.refusal?.StringValue).toBe('InternalException');
    expect((await publishedEvents(app.appId)).filter((event) => event.detail.targetUserId === user.userId)).toEqual([]);

    await faults.clear();
    // Not spawnSync: a blocked event loop lets the test's idle keep-alive sockets to the stack go stale.
    const redrive = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'redrive-events', '--queue-url', process.env.TWOFA_DEAD_LETTER_QUEUE_URL!],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_ENDPOINT_URL_SQS: process.env.TWOFA_DEAD_LETTERS_URL,
          AWS_ENDPOINT_URL_EVENTBRIDGE: process.env.TWOFA_EVENTS_URL,
        },
      },
    );

    expect(redrive.stderr).toBe('');
    expect(JSON.parse(redrive.stdout).redriven).toBeGreaterThanOrEqual(1);
    const republished = await eventFor(app.appId, 'two_factor.enrolled', user.userId);
    expect(republished.detail).toEqual(JSON.parse(entry.Detail));
    expect((await deadLetters()).map((kept) => kept.MessageId)).not.toContain(letter.MessageId);
  });

  it('are retried by the stream when the queue refuses them too, and published once EventBridge recovers', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const user = await signUp(app);
    const eventBridgeRefuses: FaultRule = { service: 'events', operation: 'PutEvents', bodyIncludes: user.userId, ...refusal };
    // Held before refused (just under the clients' 2 s request timeout), as a queue slow under load: an invocation
    // spends most of its round in its three dead-letter attempts, so EventBridge recovers while one is under way.
    const queueRefuses: FaultRule = {
      service: 'sqs',
      operation: 'SendMessage',
      bodyIncludes: user.userId,
      delayMs: 1_900,
      status: 500,
      type: 'InternalError',
      message: 'injected',
    };
    await faults.inject([eventBridgeRefuses, queueRefuses]);

    await enroll(app.appId, user.token);
    // The stream relay delivers within a second and retries a failed batch a second after it failed.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const publishedMeanwhile = (await publishedEvents(app.appId)).filter((event) => event.detail.targetUserId === user.userId);
    // EventBridge recovers first, the queue only once the event is out. Had both recovered at once, an invocation
    // whose PutEvents had just been refused would have kept the event in the queue with its next SendMessage, as
    // it should (it then waits there for a redrive, and this test for a publication that never comes).
    await faults.inject([queueRefuses]);
    let published: PublishedEvent | undefined;
    for (let wait = 0; wait < 600 && !published; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      published = (await publishedEvents(app.appId)).find((event) => event.detail.targetUserId === user.userId);
    }
    await faults.clear();

    expect(publishedMeanwhile).toEqual([]);
    expect(published?.detail).toMatchObject({ type: 'two_factor.enrolled', targetEmail: user.email });
    // Neither kept meanwhile nor since: only the stream's retry of the record can have published it.
    expect((await deadLetters()).filter((letter) => letter.Body.includes(user.userId))).toEqual([]);
  }, 180_000);
});
