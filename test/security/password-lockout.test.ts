import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { type TestApp, call, createTestApp, documentClient, password, signUp, uniqueEmail } from '../support/api.js';

const wrongPassword = 'not the password at all';

async function logIn(app: TestApp, email: string, secret = wrongPassword) {
  return call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: secret } });
}

/** Lets the clock run past the lock by moving it into the past (the lock's length is what the test checks). */
async function expireLock(app: TestApp, email: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: process.env.TWOFA_TABLE_NAME,
      Key: keys.passwordFailures(app.appId, email),
      UpdateExpression: 'SET lockedUntil = :past',
      ConditionExpression: 'attribute_exists(lockedUntil)',
      ExpressionAttributeValues: { ':past': Date.now() - 1000 },
    }),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('password lockout per account', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
  });

  it('locks the password after 10 consecutive wrong ones: 429 with the wait, even for the right password', async () => {
    const user = await signUp(app);

    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await logIn(app, user.email));
    const rightPassword = await logIn(app, user.email, password);

    expect(answers.slice(0, 9).map((answer) => [answer.status, answer.body.error.code])).toEqual(Array(9).fill([401, 'invalid_credentials']));
    const locked = answers[9]!;
    expect([locked.status, locked.body.error.code, locked.body.error.retryAfterSeconds]).toEqual([429, 'too_many_attempts', 60]);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect(rightPassword.status).toBe(429);
    expect(Number(rightPassword.headers.get('retry-after'))).toBeGreaterThan(50);
  });

  it('answers an unknown email exactly as a known one, through the lockout', async () => {
    const known = await signUp(app);
    const unknown = uniqueEmail('nobody');

    const knownAnswers = [];
    const unknownAnswers = [];
    for (let i = 0; i < 10; i++) {
      knownAnswers.push(await logIn(app, known.email));
      unknownAnswers.push(await logIn(app, unknown));
    }

    const shape = (answer: Awaited<ReturnType<typeof logIn>>) => [answer.status, answer.text, answer.headers.get('retry-after')];
    expect(unknownAnswers.map(shape)).toEqual(knownAnswers.map(shape));
    expect(unknownAnswers[9]!.status).toBe(429);
  });

  it('resets the count on a right password', async () => {
    const user = await signUp(app);

    const before = [];
    for (let i = 0; i < 9; i++) before.push((await logIn(app, user.email)).status);
    const success = await logIn(app, user.email, password);
    const after = [];
    for (let i = 0; i < 9; i++) after.push((await logIn(app, user.email)).status);

    expect(before).toEqual(Array(9).fill(401));
    expect(success.status).toBe(200);
    expect(after).toEqual(Array(9).fill(401));
  });

  it('doubles the lock with each further failure once it has expired', async () => {
    const user = await signUp(app);
    for (let i = 0; i < 10; i++) await logIn(app, user.email);

    await expireLock(app, user.email);
    const eleventh = await logIn(app, user.email);
    await expireLock(app, user.email);
    const twelfth = await logIn(app, user.email);

    expect([eleventh.status, eleventh.body.error.retryAfterSeconds]).toEqual([429, 120]);
    expect([twelfth.status, twelfth.body.error.retryAfterSeconds]).toEqual([429, 240]);
  });

  it('checks no more than 10 passwords when 30 guesses arrive at once', async () => {
    const user = await signUp(app);

    const answers = await Promise.all(Array.from({ length: 30 }, () => logIn(app, user.email)));

    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(9);
    expect(answers.filter((answer) => answer.status === 429 && answer.body.error.code === 'too_many_attempts')).toHaveLength(21);
  });

  it('writes the lockout to the audit log for the admin, with no actor to blame', async () => {
    const user = await signUp(app);
    for (let i = 0; i < 10; i++) await logIn(app, user.email);

    const audit = await call('GET', `/v1/apps/${app.appId}/audit-events?limit=100`, { token: app.adminToken });

    const lockouts = audit.body.events.filter((event: { type: string; targetUserId: string }) => event.type === 'password.locked_out' && event.targetUserId === user.userId);
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0].actorId).toBe('anonymous');
  });

  it('takes about as long for an unknown email as for a wrong password', async () => {
    const known = await signUp(app);
    // Warm both paths, then interleave the samples so load on the machine hits both alike.
    await logIn(app, uniqueEmail('warm'));
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 8; i++) {
      let started = performance.now();
      await logIn(app, known.email);
      knownTimes.push(performance.now() - started);
      started = performance.now();
      await logIn(app, `nobody-${randomBytes(4).toString('hex')}@example.test`);
      unknownTimes.push(performance.now() - started);
    }

    // Both refusals do the same reads and writes and one Argon2id hash; only noise should differ.
    const [knownMedian, unknownMedian] = [median(knownTimes), median(unknownTimes)];
    expect(Math.abs(knownMedian - unknownMedian)).toBeLessThan(0.35 * Math.max(knownMedian, unknownMedian));
  });
});
