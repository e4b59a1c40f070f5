import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import { type EnrolledUser, type TestApp, call, createTestApp, loginChallenge, signUpAndEnroll } from '../support/api.js';
import { eventFor, publishedEvents } from '../support/events.js';
import { setRememberDays, signIn } from '../support/devices.js';

describe('security events: audited with their actor and published for the portal', () => {
  let app: TestApp;
  let adminId: string;
  let user: EnrolledUser;

  beforeAll(async () => {
    app = await createTestApp({ mode: 'optional' });
    adminId = (await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken })).body.user.id;
    user = await signUpAndEnroll(app);
  });

  it('publishes the enrollment, naming the user and the email to notify', async () => {
    const event = await eventFor(app.appId, 'two_factor.enrolled', user.userId);

    expect(event.source).toBe('two-factor');
    expect(event['detail-type']).toBe('two_factor.enrolled');
    expect(event.detail).toMatchObject({ actorId: user.userId, targetUserId: user.userId, targetEmail: user.email });
  });

  it('publishes a backup code used, with how many remain', async () => {
    await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, user.email), backupCode: user.backupCodes[0] },
    });

    const event = await eventFor(app.appId, 'backup_code.used', user.userId);

    expect(event.detail.detail).toEqual({ backupCodesRemaining: 9 });
  });

  it('publishes regenerated codes and a disabled second factor', async () => {
    await awayFromStepBoundary();
    const step = currentStep();
    const regenerated = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, step) },
    });
    const disabled = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: totpCode(user.secret, step + 1) },
    });

    expect([regenerated.status, disabled.status]).toEqual([200, 200]);
    expect((await eventFor(app.appId, 'backup_codes.regenerated', user.userId)).detail.actorId).toBe(user.userId);
    expect((await eventFor(app.appId, 'two_factor.disabled', user.userId)).detail.actorId).toBe(user.userId);
  });

  it('publishes a reset with the admin who did it and the reason', async () => {
    const other = await signUpAndEnroll(app);

    await call('POST', `/v1/apps/${app.appId}/users/${other.userId}/2fa/reset`, { token: app.adminToken, body: { reason: 'lost phone' } });
    const event = await eventFor(app.appId, 'two_factor.reset', other.userId);

    expect(event.detail).toMatchObject({
      actorId: adminId,
      targetUserId: other.userId,
      targetEmail: other.email,
      detail: { reason: 'lost phone' },
    });
  });

  it('publishes a second-factor lockout', async () => {
    const other = await signUpAndEnroll(app);
    const wrong = totpCode(other.secret, currentStep() + 9);
    for (let i = 0; i < 10; i++)
      await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, { token: other.sessionToken, body: { code: wrong } });

    const event = await eventFor(app.appId, 'two_factor.locked_out', other.userId);

    expect(event.detail).toMatchObject({ actorId: other.userId, detail: { retryAfterSeconds: 60, consecutiveFailures: 10 } });
  });

  it('publishes exactly the audit log: every event once, under the audit entry’s id', async () => {
    const audit = await call('GET', `/v1/apps/${app.appId}/audit-events?limit=100`, { token: app.adminToken });
    const audited = audit.body.events.map((event: { id: string }) => event.id).sort();

    let published: string[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      published = (await publishedEvents(app.appId)).map((event) => event.detail.eventId).sort();
      if (published.length >= audited.length) break;
    }

    expect(audited.length).toBeGreaterThan(5);
    expect(published).toEqual(audited);
  });
});

describe('security events when EventBridge fails', () => {
  it('publishes the event through EventBridge failures the SDK retries: delayed, not lost, not doubled', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const faults = process.env.TWOFA_FAULT_CONTROL_URL!;
    // Fewer failures than the SDK's own 3 attempts of one put. An event still refused after them is kept whole in
    // the dead-letter queue, and one the queue refuses too is delivered again by the stream: both in
    // security-events-dead-letters.test.ts.
    await fetch(faults, {
      method: 'POST',
      body: JSON.stringify([
        {
          service: 'events',
          operation: 'PutEvents',
          bodyIncludes: app.appId,
          status: 500,
          type: 'InternalException',
          message: 'injected',
          times: 2,
        },
      ]),
    });
    try {
      const user = await signUpAndEnroll(app);

      await eventFor(app.appId, 'two_factor.enrolled', user.userId);
      const enrolled = (await publishedEvents(app.appId)).filter(
        (event) => event.detail.type === 'two_factor.enrolled' && event.detail.targetUserId === user.userId,
      );
      expect(enrolled).toHaveLength(1);
    } finally {
      await fetch(`${faults}?bodyIncludes=${app.appId}`, { method: 'DELETE' });
    }
  });
});

describe('security events of devices and recovery', () => {
  it('publishes an unlock (with the admin), a remembered and a forgotten device, and a sign-out everywhere', async () => {
    // Prepare
    const app = await createTestApp({ mode: 'optional' });
    const adminId = (await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken })).body.user.id;
    await setRememberDays(app, 'optional', 5);
    const user = await signUpAndEnroll(app);

    // Act
    const trusted = await signIn(app, user, { deviceToken: user.deviceToken, rememberDevice: true });
    const other = await signIn(app, user);
    await call('DELETE', `/v1/apps/${app.appId}/2fa/devices/${other.body.device.id}`, { token: trusted.body.session.token });
    await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/unlock`, { token: app.adminToken });
    await call('POST', `/v1/apps/${app.appId}/logout/all`, { token: trusted.body.session.token });

    // Assess
    expect((await eventFor(app.appId, 'device.remembered', user.userId)).detail).toMatchObject({
      actorId: user.userId,
      targetEmail: user.email,
      detail: { deviceId: trusted.body.device.id, days: 5 },
    });
    expect((await eventFor(app.appId, 'device.forgotten', user.userId)).detail).toMatchObject({
      actorId: user.userId,
      detail: { deviceId: other.body.device.id },
    });
    expect((await eventFor(app.appId, 'user.unlocked', user.userId)).detail).toMatchObject({ actorId: adminId, targetEmail: user.email });
    expect((await eventFor(app.appId, 'sessions.revoked', user.userId)).detail).toMatchObject({
      actorId: user.userId,
      targetEmail: user.email,
    });
  }, 120_000);
});
