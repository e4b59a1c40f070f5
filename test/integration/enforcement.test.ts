import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import {
  type ApiResponse,
  type RequestOptions,
  type TestApp,
  call,
  createTestApp,
  documentClient,
  invokePlatform,
  password,
  signUp,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { eventFor } from '../support/events.js';
import { mailTo, mailsTo } from '../support/mail.js';
import { allUsers, inParallel, parallelRequests } from '../support/parallel.js';
import { awayFromStepBoundary, totpCode } from '../support/authenticator.js';
import { decodeQrDataUrl } from '../support/qr.js';

/**
 * Enforcement over HTTP against the local stack (README, API extensions; docs/enforcement.md): grace periods
 * before and after their deadline, per-role requirements under `optional`, the plan table, the report's
 * counters under 50 enrollments and resets at once, the users filter and CSV, and a deadline reminder
 * reaching the event bus. Time moves as password-lockout.test.ts moves it: by moving stored instants into
 * the past (when 2FA became required, when the user signed up), never through a production path.
 */

const client = documentClient();
afterAll(() => client.destroy());

const settings = (app: TestApp, body: Record<string, unknown>) =>
  call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body });
const publish = (app: TestApp) => call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });
const login = (app: TestApp, email: string) => call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
const report = (app: TestApp) => call('GET', `/v1/apps/${app.appId}/reports/two-factor`, { token: app.adminToken });

async function enforce(app: TestApp, body: Record<string, unknown>): Promise<void> {
  const put = await settings(app, body);
  if (put.status !== 200) throw new Error(`settings PUT failed: ${put.text}`);
  const published = await publish(app);
  if (published.status !== 200) throw new Error(`publish failed: ${published.text}`);
}

/** Moves "2FA required since" of every role, and the users' sign-ups, `days` into the past. */
async function backdate(app: TestApp, userIds: string[], days: number): Promise<void> {
  const past = new Date(Date.now() - days * 86_400_000).toISOString();
  await client.send(
    new UpdateCommand({
      TableName: process.env.TWOFA_TABLE_NAME,
      Key: keys.app(app.appId),
      UpdateExpression: 'SET publishedRequiredSince = :since',
      ExpressionAttributeValues: { ':since': { admin: past, member: past } },
    }),
  );
  for (const userId of userIds) {
    await client.send(
      new UpdateCommand({
        TableName: process.env.TWOFA_TABLE_NAME,
        Key: keys.user(userId),
        UpdateExpression: 'SET createdAt = :past',
        ExpressionAttributeValues: { ':past': past },
      }),
    );
  }
}

/**
 * `call`, tried once more when the connection closed before any answer came, as bursts of 50 on a loaded
 * test machine sometimes meet. A retried confirmation that had run answers invalid_code (its code is spent),
 * and a retried reset of a user already reset moves no counter, so a retry cannot hide a miscount.
 */
async function callOnOpenSocket(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  try {
    return await call(method, path, options);
  } catch (error) {
    if (!(error instanceof TypeError && String((error as { cause?: unknown }).cause).includes('other side closed'))) throw error;
    return call(method, path, options);
  }
}

/** Starts linking an authenticator for a signed-in user, as a person does: the secret the QR code holds. */
async function startEnrollment(app: TestApp, token: string): Promise<string> {
  const started = await callOnOpenSocket('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
  if (started.status !== 201) throw new Error(`enrollment failed: ${started.text}`);
  return new URL(decodeQrDataUrl(started.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
}

/** The UTC midnight that ends the day `days` days from today. */
function endOfDayIn(days: number): string {
  const today = new Date().toISOString().slice(0, 10);
  return new Date(Date.parse(`${today}T00:00:00.000Z`) + (days + 1) * 86_400_000).toISOString();
}

describe('a grace period', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ plan: 'enterprise' });
  });

  it('signs a user without 2FA in with enrollBy until the deadline, then asks for enrollment', async () => {
    const member = await signUp(app);
    await enforce(app, { mode: 'required', requiredGraceDays: 7 });

    const during = await login(app, member.email);
    const me = await call('GET', `/v1/apps/${app.appId}/me`, { token: during.body.session.token });
    await backdate(app, [member.userId], 8);
    const after = await login(app, member.email);

    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ status: 'SIGNED_IN', twoFactor: { available: true, suggested: true, enrollBy: endOfDayIn(7) } });
    expect(me.body.twoFactor).toMatchObject({ enabled: false, required: true, enrollBy: endOfDayIn(7) });
    expect(after.body.status).toBe('TWO_FACTOR_ENROLLMENT_REQUIRED');
    const meAfter = await call('GET', `/v1/apps/${app.appId}/me`, { token: during.body.session.token });
    expect(meAfter.body.twoFactor).toMatchObject({ required: true, enrollBy: null });
  });

  it('gives a new sign-up its own grace', async () => {
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });

    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({ status: 'SIGNED_IN', twoFactor: { enrollBy: endOfDayIn(7) } });
  });
});

describe('a per-role requirement', () => {
  it('requires 2FA of admins while the mode stays optional, and leaves members free', async () => {
    const app = await createTestApp({ plan: 'enterprise' });
    const member = await signUp(app);
    await enforce(app, { mode: 'optional', requiredForRoles: ['admin'], requiredGraceDays: 3 });

    const admin = await login(app, app.adminEmail);
    const memberLogin = await login(app, member.email);
    const view = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });

    expect(admin.body).toMatchObject({ status: 'SIGNED_IN', twoFactor: { enrollBy: endOfDayIn(3) } });
    expect(memberLogin.body).toMatchObject({ status: 'SIGNED_IN', twoFactor: { suggested: true, enrollBy: null } });
    expect(view.body.published).toMatchObject({ mode: 'optional', requiredForRoles: ['admin'], requiredGraceDays: 3 });
    expect(Object.keys(view.body.published.requiredSince)).toEqual(['admin']);
  });
});

describe('the plan table and the settings body', () => {
  it.each([
    [{ mode: 'optional', requiredGraceDays: 5 }, 403, 'plan_upgrade_required'],
    [{ mode: 'optional', requiredForRoles: ['admin'] }, 403, 'plan_upgrade_required'],
    [{ mode: 'optional', requiredGraceDays: 91 }, 400, 'validation_error'],
    [{ mode: 'optional', requiredForRoles: ['owner'] }, 400, 'validation_error'],
    [{ mode: 'optional', requiredForRoles: ['admin', 'admin'] }, 400, 'validation_error'],
  ])('answers %j on the business plan with %i %s', async (body, status, code) => {
    const app = await createTestApp({ plan: 'business' });

    const answer = await settings(app, body);

    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
  });
});

describe('the enrollment report', () => {
  it('stays right under 50 enrollments at once, then 50 resets at once (two per user)', async () => {
    const app = await createTestApp({ plan: 'enterprise', mode: 'optional' });

    const signedUp: Awaited<ReturnType<typeof signUp>>[] = [];
    for (let batch = 0; batch < parallelRequests / 10; batch++) signedUp.push(...(await inParallel(10, () => signUp(app))));

    // Linking starts one after another: the race under test is the confirmations' (and the resets').
    const secrets: string[] = [];
    for (const user of signedUp) secrets.push(await startEnrollment(app, user.token));

    await awayFromStepBoundary(10_000);
    const enrollments = await inParallel(parallelRequests, async (index) => {
      const confirmed = await callOnOpenSocket('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
        token: signedUp[index]!.token,
        body: { code: totpCode(secrets[index]!) },
      });
      return confirmed.status;
    });
    const enrolled = signedUp.filter((_, index) => enrollments[index] === 200);
    const afterEnrollments = await report(app);
    const resetOnce = enrolled.slice(0, parallelRequests / 2);
    const resets = await inParallel(parallelRequests, (index) =>
      callOnOpenSocket('POST', `/v1/apps/${app.appId}/users/${resetOnce[index % resetOnce.length]!.userId}/2fa/reset`, {
        token: app.adminToken,
        body: {},
      }),
    );
    const afterResets = await report(app);
    const listed = await allUsers(app);

    expect(enrollments).toEqual(enrollments.map(() => 200));
    expect(afterEnrollments.body.totals).toEqual({ users: 51, enrolled: 50, notEnrolled: 1, pending: 0, overdue: 0 });
    expect(resets.map((answer) => answer.status)).toEqual(resets.map(() => 200));
    expect(afterResets.body.totals).toMatchObject({ users: 51, enrolled: 25, notEnrolled: 26 });
    expect(afterResets.body.roles).toEqual([
      expect.objectContaining({ role: 'admin', users: 1, enrolled: 0, required: false }),
      expect.objectContaining({ role: 'member', users: 50, enrolled: 25, required: false }),
    ]);
    expect(listed.filter((user) => user.twoFactorSetupComplete)).toHaveLength(25);
  }, 240_000);

  it('counts pending users with their deadline, and overdue ones, per role', async () => {
    const app = await createTestApp({ plan: 'enterprise' });
    await signUp(app);
    await enforce(app, { mode: 'required', requiredGraceDays: 5 });

    const answer = await report(app);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ mode: 'required', requiredGraceDays: 5 });
    expect(answer.body.totals).toEqual({ users: 2, enrolled: 0, notEnrolled: 2, pending: 2, overdue: 0 });
    expect(answer.body.roles[1]).toMatchObject({ role: 'member', pendingByDeadline: [{ enrollBy: endOfDayIn(5), users: 1 }] });
  });
});

describe('the users table', () => {
  let app: TestApp;
  let enrolledId: string;
  const formulaEmails = [`-cmd${Date.now()}@example.test`, `+sum${Date.now()}@example.test`];
  beforeAll(async () => {
    app = await createTestApp({ plan: 'enterprise', mode: 'optional' });
    for (const email of formulaEmails) await signUp(app, email);
    enrolledId = (await signUpAndEnroll(app)).userId;
    await enforce(app, { mode: 'required', requiredGraceDays: 14 });
  });

  it('filters by 2FA: enrolled and pending', async () => {
    const enrolled = await call('GET', `/v1/apps/${app.appId}/users?twoFactor=enrolled`, { token: app.adminToken });
    const pending = await call('GET', `/v1/apps/${app.appId}/users?twoFactor=pending&limit=2`, { token: app.adminToken });
    const bad = await call('GET', `/v1/apps/${app.appId}/users?twoFactor=overdue`, { token: app.adminToken });

    expect(enrolled.body.users).toEqual([
      expect.objectContaining({ id: enrolledId, twoFactorStatus: 'enrolled', twoFactorEnrolledAt: expect.any(String), enrollBy: null }),
    ]);
    expect(pending.body.users).toHaveLength(2);
    expect(pending.body.users.every((user: { twoFactorStatus: string }) => user.twoFactorStatus === 'pending')).toBe(true);
    expect(pending.body.users[0].enrollBy).toBe(endOfDayIn(14));
    expect(bad.status).toBe(400);
  });

  it('exports the table as CSV, with a header, 2FA columns and formula-looking cells made text', async () => {
    const answer = await call('GET', `/v1/apps/${app.appId}/users.csv`, { token: app.adminToken });
    const lines = answer.text.split('\r\n');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="users-${app.appId}.csv"`);
    expect(answer.headers.get('x-next-cursor')).toBeNull();
    expect(lines[0]).toBe('id,email,role,createdAt,twoFactorStatus,twoFactorEnrolledAt,enrollBy');
    expect(lines).toHaveLength(1 + 4 + 1);
    expect(answer.text).toContain(`,"'${formulaEmails[0]}",member,`);
    expect(answer.text).toContain(`,"'${formulaEmails[1]}",member,`);
    expect(lines.find((line) => line.startsWith(enrolledId))).toMatch(/,member,[^,]+,enrolled,\d{4}-[^,]+Z,$/);
    expect(lines.find((line) => line.includes(formulaEmails[0]!))).toMatch(new RegExp(`,pending,,${endOfDayIn(14)}$`));
  });

  it('exports in parts, each naming the next', async () => {
    const first = await call('GET', `/v1/apps/${app.appId}/users.csv?limit=3`, { token: app.adminToken });
    const cursor = first.headers.get('x-next-cursor');
    const second = await call('GET', `/v1/apps/${app.appId}/users.csv?limit=3&cursor=${cursor}`, { token: app.adminToken });

    expect(first.text.split('\r\n')).toHaveLength(1 + 3 + 1);
    expect(cursor).toEqual(expect.any(String));
    expect(second.text.split('\r\n')).toHaveLength(1 + 1 + 1);
    expect(second.headers.get('x-next-cursor')).toBeNull();
  });

  it('refuses members', async () => {
    const member = await signUp(app);

    const answer = await call('GET', `/v1/apps/${app.appId}/users.csv`, { token: member.token });

    expect(answer.status).toBe(403);
  });
});

describe('deadline reminders', () => {
  // As EventBridge Scheduler runs it: the function, through Lambda's Invoke API (the local endpoint).
  // A run cut short at its deadline (a busy machine) leaves the rest to the next run, as in AWS.
  const run = async (): Promise<{ result?: { reminded: number }; error?: unknown }> => {
    let reminded = 0;
    for (let runs = 0; runs < 5; runs++) {
      const answer = await invokePlatform<{ reminded: number; cutShort: boolean }>('enforcementReminders', {});
      if (!answer.result) return answer;
      reminded += answer.result.reminded;
      if (!answer.result.cutShort) return { result: { reminded } };
    }
    return { error: 'every run was cut short' };
  };

  it('publishes two_factor.enforcement_deadline_approaching 7 days before a deadline, once, and the user gets the email', async () => {
    const app = await createTestApp({ plan: 'enterprise' });
    const member = await signUp(app);
    // A grace of 6 days puts the deadline at the midnight ending the 6th day from today: 6 to 7 days away.
    await enforce(app, { mode: 'required', requiredGraceDays: 6 });

    const first = await run();
    const event = await eventFor(app.appId, 'two_factor.enforcement_deadline_approaching', member.userId);
    const again = await run();

    expect(first.error).toBeUndefined();
    expect(first.result?.reminded).toBeGreaterThanOrEqual(2);
    expect(event['detail-type']).toBe('two_factor.enforcement_deadline_approaching');
    expect(event.detail).toMatchObject({ targetEmail: member.email, detail: { daysLeft: 7, enrollBy: endOfDayIn(6) } });
    expect(again.result?.reminded).toBe(0);
    const mail = await mailTo(member.email, 'set up two-factor authentication within 7 days');
    expect(mail.text).toContain(`${app.name} requires two-factor authentication on your account`);
    expect(mailsTo(member.email).filter((sent) => sent.subject.includes('within'))).toHaveLength(1);
  });

  it('sends the last reminder on the final day, once, and none once the user has 2FA', async () => {
    const app = await createTestApp({ plan: 'enterprise' });
    const member = await signUp(app);
    await enforce(app, { mode: 'optional' });
    const enrolled = await signUpAndEnroll(app);
    await enforce(app, { mode: 'required', requiredGraceDays: 6 });
    // Required and signed up 6 days ago: the deadline is the coming midnight, less than a day away.
    await backdate(app, [member.userId, enrolled.userId], 6);

    const first = await run();
    const event = await eventFor(app.appId, 'two_factor.enforcement_deadline_approaching', member.userId);
    await run();

    expect(first.error).toBeUndefined();
    expect(event.detail).toMatchObject({ targetEmail: member.email, detail: { daysLeft: 1, enrollBy: endOfDayIn(0) } });
    const mail = await mailTo(member.email, 'set up two-factor authentication within 1 day');
    expect(mail.text).toContain('After the deadline, you will have to link one');
    expect(mailsTo(member.email).filter((sent) => sent.subject.includes('within'))).toHaveLength(1);
    expect(mailsTo(enrolled.email).filter((sent) => sent.subject.includes('within'))).toEqual([]);
  });
});
