import { randomBytes } from 'node:crypto';
import type { StoredMail } from '../../local/ses-stand-in.js';
import { currentStep, totpCode } from '../support/authenticator.js';
import { type EnrolledUser, type TestApp, call, createTestApp, nextCode, signUpAndEnroll, uniqueEmail } from '../support/api.js';
import { setRememberDays, signIn } from '../support/devices.js';
import { type PublishedEvent, eventFor, publishedEvents } from '../support/events.js';
import { mailTo, mailsTo, redeliver } from '../support/mail.js';

/**
 * Issue 12, security emails: each event the service publishes reaches the notifier through the local
 * EventBridge's rule, and the notifier's email reaches the SES stand-in's mail folder. Every case drives the
 * real API and reads the email the user got.
 */

const wrongPassword = 'not the password at all';

/** The app's name holds markup, so every email shows whether the HTML escapes it. */
const appName = `Mail <b>Portal</b> & Co ${randomBytes(4).toString('hex')}`;
const escapedAppName = appName.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Asserts what every security email must be, and that it carries nothing secret. */
function expectSafeEmail(mail: StoredMail, user: EnrolledUser, secrets: string[] = []): void {
  expect(mail.to).toEqual([user.email]);
  expect([mail.cc, mail.bcc]).toEqual([[], []]);
  expect(mail.subject.startsWith(`${appName}: `)).toBe(true);
  expect(mail.text).toContain(appName);
  expect(mail.html).toContain(escapedAppName);
  expect(mail.html).not.toContain('<b>Portal</b>');
  expect(mail.configurationSet).toBe('two-factor-local');
  const everything = `${mail.subject}\n${mail.text}\n${mail.html}`;
  for (const secret of [user.secret, user.secret.toLowerCase(), user.sessionToken, user.deviceToken, ...user.backupCodes, ...secrets])
    if (secret) expect(everything).not.toContain(secret);
  // No one-time code (six digits on their own), no link at all, so none that carries a token.
  expect(everything).not.toMatch(/(?<![#\w-])\d{6}(?![\w-])/);
  expect(everything).not.toMatch(/https?:\/\/|href=/i);
}

describe('security emails', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ name: appName, mode: 'optional' });
  });

  it('tells the user that 2FA was turned on, once, even when EventBridge delivers the event twice', async () => {
    // Prepare, Act
    const user = await signUpAndEnroll(app);

    // Assess
    const mail = await mailTo(user.email, 'two-factor authentication turned on');
    expectSafeEmail(mail, user);
    expect(mail.text).toContain('Two-factor authentication was turned on for your');
    expect(mail.html).toContain('<h1');
    const event = await eventFor(app.appId, 'two_factor.enrolled', user.userId);
    expect(await redeliver(event)).toEqual({ targets: 1, failed: 0 });
    expect(await redeliver(event)).toEqual({ targets: 1, failed: 0 });
    expect(mailsTo(user.email).filter((sent) => sent.subject.includes('turned on'))).toHaveLength(1);
  });

  it('tells the user that 2FA was turned off', async () => {
    const user = await signUpAndEnroll(app);

    const disabled = await call('POST', `/v1/apps/${app.appId}/2fa/disable`, {
      token: user.sessionToken,
      body: { code: await nextCode(user) },
    });

    expect(disabled.status).toBe(200);
    const mail = await mailTo(user.email, 'two-factor authentication turned off');
    expectSafeEmail(mail, user);
    expect(mail.text).toContain('Signing in now asks for your password only');
  });

  it('tells the user who reset their 2FA and why', async () => {
    const user = await signUpAndEnroll(app);

    const reset = await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, {
      token: app.adminToken,
      body: { reason: 'Lost phone, identity checked by video call' },
    });

    expect(reset.status).toBe(200);
    const mail = await mailTo(user.email, 'reset by an administrator');
    expectSafeEmail(mail, user);
    expect(mail.text).toContain(`Reset by: ${app.adminEmail} (administrator)`);
    expect(mail.text).toContain('Reason: Lost phone, identity checked by video call');
    expect(mail.html).toContain(app.adminEmail);
  });

  it('leaves out a reason the admin marked internal, which the audit log keeps', async () => {
    const user = await signUpAndEnroll(app);
    const reason = `ticket ${randomBytes(4).toString('hex')}: caller failed two security questions`;

    const reset = await call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, {
      token: app.adminToken,
      body: { reason, reasonInternal: true },
    });

    expect(reset.status).toBe(200);
    const mail = await mailTo(user.email, 'reset by an administrator');
    expectSafeEmail(mail, user, [reason, 'ticket']);
    expect(mail.text).toContain(`Reset by: ${app.adminEmail}`);
    expect(mail.text).not.toContain('Reason');
    const event = await eventFor(app.appId, 'two_factor.reset', user.userId);
    expect(event.detail.detail).toEqual({ reason, reasonInternal: true });
  });

  it('counts the backup codes left after each use, and warns at 3 or fewer', async () => {
    // Prepare: a sign-in with a backup code leaves 9
    const user = await signUpAndEnroll(app);
    const signedIn = await signIn(app, user, { backupCode: user.backupCodes[0] });
    expect(signedIn.body.backupCodesRemaining).toBe(9);
    const nine = await mailTo(user.email, 'a backup code was used');
    expectSafeEmail(nine, user, [signedIn.body.session.token, signedIn.body.device.token]);
    expect(nine.text).toContain('A backup code was used to sign in');
    expect(nine.text).toContain('Backup codes left: 9');
    expect(nine.text).not.toContain('Warning');

    // Act: step-ups spend six more, down to 3
    for (const backupCode of user.backupCodes.slice(1, 7)) {
      const stepUp = await call('POST', `/v1/apps/${app.appId}/2fa/step-up`, { token: user.sessionToken, body: { backupCode } });
      expect(stepUp.status).toBe(200);
    }

    // Assess: events reach the notifier at least once and in no set order, so the emails are told apart by count.
    await mailTo(user.email, 'a backup code was used', 7);
    const used = mailsTo(user.email).filter((mail) => mail.subject.includes('a backup code was used'));
    const left = (count: number) => used.filter((mail) => (mail.text ?? '').includes(`Backup codes left: ${count}\n`));
    expect([9, 8, 7, 6, 5, 4, 3].map((count) => left(count).length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    const [four] = left(4);
    expect(four!.text).not.toContain('Warning');
    const [three] = left(3);
    if (!three) throw new Error('no email with 3 backup codes left');
    expectSafeEmail(three, user);
    expect(three.text).toContain('A backup code was used to confirm it was you');
    expect(three.text).toContain('Backup codes left: 3');
    expect(three.text).toContain('Warning: Only 3 backup codes left.');
    expect(three.html).toContain('role="alert"');
  });

  it('tells the user that new backup codes were generated, without them', async () => {
    const user = await signUpAndEnroll(app);

    const regenerated = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
      token: user.sessionToken,
      body: { code: await nextCode(user) },
    });

    expect(regenerated.status).toBe(200);
    const mail = await mailTo(user.email, 'new backup codes generated');
    expectSafeEmail(mail, user, regenerated.body.backupCodes as string[]);
    expect(mail.text).toContain('Your previous backup codes no longer work');
  });

  it('tells the user that a browser will skip the code, and for how long', async () => {
    const remembering = await createTestApp({ name: appName, mode: 'optional' });
    await setRememberDays(remembering, 'optional', 7);
    const user = await signUpAndEnroll(remembering);

    const verify = await signIn(remembering, user, { rememberDevice: true });

    expect(verify.body.device.rememberedUntil).not.toBeNull();
    const mail = await mailTo(user.email, 'a browser will skip the authenticator code');
    expectSafeEmail(mail, user, [verify.body.device.token, verify.body.session.token]);
    expect(mail.text).toContain('chose to skip the authenticator code for 7 days');
  });

  it('tells the user of a second-factor lockout, once however often the event is delivered', async () => {
    const user = await signUpAndEnroll(app);

    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let attempt = 0; attempt < 10; attempt++)
      last = await call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, {
        token: user.sessionToken,
        body: { code: totpCode(user.secret, currentStep() + 5) },
      });

    expect(last?.status).toBe(429);
    const mail = await mailTo(user.email, 'sign-in paused after wrong codes');
    expectSafeEmail(mail, user);
    expect(mail.text).toContain('10 wrong authenticator codes in a row');
    expect(mail.text).toContain('Signing in is paused for 1 minute');
    const event = await eventFor(app.appId, 'two_factor.locked_out', user.userId);
    await redeliver(event);
    expect(mailsTo(user.email).filter((sent) => sent.subject.includes('wrong codes'))).toHaveLength(1);
  });

  it('tells the user of a password lockout, and emails nobody for an email nobody signed up with', async () => {
    const user = await signUpAndEnroll(app);
    const unknown = uniqueEmail('nobody');

    for (const email of [user.email, unknown])
      for (let attempt = 0; attempt < 10; attempt++)
        await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: wrongPassword } });

    const mail = await mailTo(user.email, 'sign-in paused after wrong passwords');
    expectSafeEmail(mail, user, [wrongPassword]);
    expect(mail.text).toContain('10 wrong passwords in a row');
    expect(mail.text).toContain('Nobody got in.');
    // The unknown email's lockout is published with no user; once the notifier has handled it, no email exists.
    const deadline = Date.now() + 15_000;
    let sprayed: PublishedEvent | undefined;
    while (!sprayed && Date.now() < deadline) {
      sprayed = (await publishedEvents(app.appId)).find(
        (event) => event.detail.type === 'password.locked_out' && event.detail.targetUserId === null,
      );
      if (!sprayed) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!sprayed) throw new Error('the lockout of the unknown email was not published');
    expect(await redeliver(sprayed)).toEqual({ targets: 1, failed: 0 });
    expect(mailsTo(unknown)).toEqual([]);
  });
});
