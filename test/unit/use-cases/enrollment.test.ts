import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import type { TwoFactorMode } from '../../../functions/core/model.js';
import { base32Decode } from '../../support/authenticator.js';
import type { SeededApp, SeededUser, World as WorldType } from '../../support/domain/world.js';

// Two costs that are no rule of these specs are stubbed, and everything that reaches them is imported after
// the stubs: the QR code's PNG (qrcode takes about a second per image inside Jest's VM modules, 30 ms outside
// it), and the Argon2id of backup codes (each confirmation and regeneration hashes ten, ~50 ms apiece on this
// machine), here a SHA-256 that still tells codes and salts apart. Real backup-code hashes are spent in
// single-use-codes.test.ts.
const hashing = await import('../../../functions/core/hashing.js');
jest.unstable_mockModule('../../../functions/core/qr.js', () => ({
  renderQrCode: () => Promise.resolve({ svg: '<svg/>', pngDataUrl: 'data:image/png;base64,' }),
}));
jest.unstable_mockModule('../../../functions/core/hashing.js', () => ({
  ...hashing,
  hashBackupCode: (normalizedCode: string, salt: string) =>
    Promise.resolve(createHash('sha256').update(`${salt}:${normalizedCode}`).digest('hex')),
}));
const { confirmEnrollment } = await import('../../../functions/core/use-cases/confirm-enrollment.js');
const { disableTwoFactor } = await import('../../../functions/core/use-cases/disable-two-factor.js');
const { getMe } = await import('../../../functions/core/use-cases/get-me.js');
const { logIn } = await import('../../../functions/core/use-cases/log-in.js');
const { adminResetTwoFactor } = await import('../../../functions/core/use-cases/reset-two-factor.js');
const { regenerateBackupCodes } = await import('../../../functions/core/use-cases/regenerate-backup-codes.js');
const { signUp } = await import('../../../functions/core/use-cases/sign-up.js');
const { startEnrollment } = await import('../../../functions/core/use-cases/start-enrollment.js');
const { verifyLogin } = await import('../../../functions/core/use-cases/verify-login.js');
const {
  World,
  accountCount,
  auditEntries,
  codeAt,
  minuteMs,
  outcomeOf,
  password,
  seedApp,
  seedEnrolledUser,
  seedEnrollmentChallenge,
  seedLoginChallenge,
  seedSession,
  seedUser,
  wrongCodeAt,
} = await import('../../support/domain/world.js');

/**
 * Linking an authenticator and what changes it (README, Design: Single use; Brute force): sign-up by mode, a
 * pending secret discarded after 5 wrong codes or 10 minutes, the time step of a right code claimed once (and
 * given back when the write fails), and the changes that end every other session of the user: confirming,
 * regenerating backup codes, disabling.
 */

let world: WorldType;

beforeEach(() => {
  world = new World();
});

/** Starts an enrollment with `token` and reads the secret the authenticator app would scan. */
async function started(seeded: SeededApp, token: string): Promise<{ secret: Buffer; expiresAt: string }> {
  const enrollment = await startEnrollment(world.deps, { appId: seeded.app.id, token });
  return { secret: base32Decode(new URL(enrollment.otpauthUri).searchParams.get('secret')!), expiresAt: enrollment.expiresAt };
}

const confirm = (seeded: SeededApp, token: string, code: string) => confirmEnrollment(world.deps, { appId: seeded.app.id, token, code });
const me = (seeded: SeededApp, token: string) => getMe(world.deps, { appId: seeded.app.id, token });

describe('signUp', () => {
  it.each([
    { mode: null, status: 'SIGNED_IN', twoFactor: { available: false, suggested: false, enrollBy: null } },
    { mode: 'optional', status: 'SIGNED_IN', twoFactor: { available: true, suggested: true, enrollBy: null } },
    { mode: 'required', status: 'TWO_FACTOR_ENROLLMENT_REQUIRED', twoFactor: undefined },
  ] as const)('under the published mode $mode answers $status', async ({ mode, status, twoFactor }) => {
    // Prepare
    const seeded = await seedApp(world, { published: mode === null ? null : { mode } });

    // Act
    const result = await signUp(world.deps, { appId: seeded.app.id, email: 'New.User@Example.test', password });

    // Assess
    expect(result.status).toBe(status);
    expect('twoFactor' in result ? result.twoFactor : undefined).toEqual(twoFactor);
    await expect(world.deps.users.findUserByEmail(seeded.app.id, 'new.user@example.test')).resolves.toMatchObject({ role: 'member' });
  });

  it('refuses an email already taken in the app, whatever its case', async () => {
    // Prepare
    const seeded = await seedApp(world);
    const taken = await seedUser(world, seeded.app);

    // Act
    const refusal = await outcomeOf(signUp(world.deps, { appId: seeded.app.id, email: ` ${taken.email.toUpperCase()} `, password }));

    // Assess
    expect(refusal).toBe('email_taken');
  });
});

describe('who may enroll', () => {
  const calls = [
    { call: 'startEnrollment', send: (appId: string, token: string) => startEnrollment(world.deps, { appId, token }) },
    { call: 'confirmEnrollment', send: (appId: string, token: string) => confirmEnrollment(world.deps, { appId, token, code: '123456' }) },
  ];

  it.each(
    calls.flatMap(({ call, send }) => [
      { call, send, refusal: 'two_factor_not_available', mode: 'off' as const, enrolled: false },
      { call, send, refusal: 'already_enabled', mode: 'optional' as const, enrolled: true },
    ]),
  )('$call answers $refusal under the mode $mode for a user enrolled: $enrolled', async ({ send, refusal, mode, enrolled }) => {
    // Prepare
    const seeded = await seedApp(world, { published: { mode } });
    const user = enrolled ? await seedEnrolledUser(world, seeded.app) : await seedUser(world, seeded.app);

    // Act
    const outcome = await outcomeOf(send(seeded.app.id, user.sessionToken));

    // Assess
    expect(outcome).toBe(refusal);
  });

  it.each(
    calls.flatMap(({ call, send }) => [
      { call, send, token: 'a login challenge', otherApp: false },
      { call, send, token: 'an enrollment challenge of another app', otherApp: true },
    ]),
  )('$call takes $token for no token at all (unauthorized)', async ({ send, otherApp }) => {
    // Prepare
    const seeded = await seedApp(world, { published: { mode: 'required' } });
    const other = await seedApp(world, { published: { mode: 'required' } });
    const token = otherApp
      ? await seedEnrollmentChallenge(world, (await seedUser(world, other.app)).user)
      : await seedLoginChallenge(world, (await seedUser(world, seeded.app)).user);

    // Act
    const outcome = await outcomeOf(send(seeded.app.id, token));

    // Assess
    expect(outcome).toBe('unauthorized');
  });
});

describe('startEnrollment', () => {
  it('replaces the pending secret: a code of the first one no longer confirms', async () => {
    // Prepare
    const seeded = await seedApp(world, { published: { mode: 'optional' } });
    const user = await seedUser(world, seeded.app);
    const first = await started(seeded, user.sessionToken);
    await started(seeded, user.sessionToken);

    // Act
    const refusal = await confirm(seeded, user.sessionToken, codeAt(first.secret, world.now)).catch((error: unknown) => error);

    // Assess
    expect(refusal).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 4 } });
  });
});

describe('confirmEnrollment', () => {
  let seeded: SeededApp;
  let user: SeededUser;

  beforeEach(async () => {
    seeded = await seedApp(world, { published: { mode: 'optional' } });
    user = await seedUser(world, seeded.app);
  });

  it('answers not_enrolled when no enrollment was started', async () => {
    // Act
    const outcome = await outcomeOf(confirm(seeded, user.sessionToken, '123456'));

    // Assess
    expect(outcome).toBe('not_enrolled');
  });

  it('discards the pending secret after 5 wrong codes: attempts left 4 to 0, then not_enrolled even for the right code', async () => {
    // Prepare
    const { secret } = await started(seeded, user.sessionToken);

    // Act
    const refusals: unknown[] = [];
    for (let guess = 1; guess <= 5; guess++) {
      refusals.push(await confirm(seeded, user.sessionToken, wrongCodeAt(secret, world.now)).catch((error: unknown) => error));
    }
    const right = await outcomeOf(confirm(seeded, user.sessionToken, codeAt(secret, world.now)));

    // Assess
    expect(refusals).toEqual(
      [4, 3, 2, 1, 0].map((attemptsRemaining) => expect.objectContaining({ code: 'invalid_code', details: { attemptsRemaining } })),
    );
    expect(right).toBe('not_enrolled');
  });

  it('refuses the right code once the pending secret is 10 minutes old', async () => {
    // Prepare
    const { secret, expiresAt } = await started(seeded, user.sessionToken);
    world.advance(10 * minuteMs);

    // Act
    const right = await outcomeOf(confirm(seeded, user.sessionToken, codeAt(secret, world.now)));

    // Assess
    expect(expiresAt).toBe(new Date(world.now).toISOString());
    expect(right).toBe('not_enrolled');
  });

  it('of parallel confirmations with one code, enables exactly one, refuses the others uncounted, and ends every other session', async () => {
    // Prepare
    const other = await seedSession(world, user.user);
    const { secret } = await started(seeded, user.sessionToken);
    const code = codeAt(secret, world.now);

    // Act
    const results = await Promise.all(
      Array.from({ length: 3 }, () => confirm(seeded, user.sessionToken, code).catch((error: unknown) => error)),
    );

    // Assess
    const enabled = results.filter((result) => (result as { status?: string }).status === 'ENABLED');
    expect(enabled).toHaveLength(1);
    expect((enabled[0] as { backupCodes: string[] }).backupCodes).toHaveLength(10);
    expect(results.filter((result) => result !== enabled[0])).toEqual([
      expect.objectContaining({ code: 'invalid_code', details: { attemptsRemaining: 5 } }),
      expect.objectContaining({ code: 'invalid_code', details: { attemptsRemaining: 5 } }),
    ]);
    await expect(me(seeded, user.sessionToken)).resolves.toMatchObject({ twoFactor: { enabled: true, backupCodesRemaining: 10 } });
    await expect(outcomeOf(me(seeded, other.sessionToken))).resolves.toBe('unauthorized');
    await expect(auditEntries(world, seeded.app.id, 'two_factor.enrolled')).resolves.toHaveLength(1);
  });

  it('counts as a second factor just proven by the session that confirms: an admin may reset users at once', async () => {
    // Prepare
    const admin = await seedUser(world, seeded.app, 'admin');
    const { secret } = await started(seeded, admin.sessionToken);
    await confirm(seeded, admin.sessionToken, codeAt(secret, world.now));

    // Act
    const reset = await outcomeOf(
      adminResetTwoFactor(world.deps, { appId: seeded.app.id, token: admin.sessionToken, userId: user.user.id, reason: null }),
    );

    // Assess
    expect(reset).toBe('ok');
  });

  it('gives the claimed time step back when the write fails, so the same code enables on retry', async () => {
    // Prepare
    const { secret } = await started(seeded, user.sessionToken);
    const code = codeAt(secret, world.now);
    jest.spyOn(world.deps.users, 'confirmEnrollment').mockRejectedValueOnce(new Error('table unavailable'));

    // Act
    const failure = await confirm(seeded, user.sessionToken, code).catch((error: unknown) => error);
    const retried = await confirm(seeded, user.sessionToken, code);

    // Assess
    expect(failure).toEqual(new Error('table unavailable'));
    expect(retried.status).toBe('ENABLED');
  });

  it('on the sign-up path, lives no longer than the enrollment challenge, spends it, and issues a two-factor session on a new device', async () => {
    // Prepare
    const required = await seedApp(world, { published: { mode: 'required' } });
    const signedUp = await signUp(world.deps, { appId: required.app.id, email: 'first@example.test', password });
    const challengeToken = 'challenge' in signedUp ? signedUp.challenge.token : '';
    const { secret, expiresAt } = await started(required, challengeToken);

    // Act
    const confirmed = await confirm(required, challengeToken, codeAt(secret, world.now));
    const again = await outcomeOf(confirm(required, challengeToken, codeAt(secret, world.now + 30_000)));

    // Assess
    expect(expiresAt).toBe(new Date(world.now + 5 * minuteMs).toISOString());
    expect(confirmed.session?.assurance).toBe('two_factor');
    expect(confirmed.device?.id).toMatch(/^dev_/);
    await expect(me(required, confirmed.session!.token)).resolves.toMatchObject({ twoFactor: { enabled: true } });
    expect(again).toBe('unauthorized');
  });
  it('on the login path, issues the session to the device the login presented, with a new token', async () => {
    // Prepare
    const required = await seedApp(world, { published: { mode: 'required' } });
    const member = await seedUser(world, required.app);
    const loggedIn = await logIn(world.deps, { appId: required.app.id, email: member.email, password, deviceToken: member.deviceToken });
    const challengeToken = 'challenge' in loggedIn ? loggedIn.challenge.token : '';
    const { secret } = await started(required, challengeToken);

    // Act
    const confirmed = await confirm(required, challengeToken, codeAt(secret, world.now));

    // Assess
    expect(loggedIn.status).toBe('TWO_FACTOR_ENROLLMENT_REQUIRED');
    expect(confirmed.device?.id).toBe(member.deviceId);
    expect(confirmed.device?.token).not.toBe(member.deviceToken);
    await expect(outcomeOf(me(required, member.sessionToken))).resolves.toBe('unauthorized');
  });
});

describe('regenerateBackupCodes', () => {
  it('replaces the set: the old codes stop working, the new ten work, and every other session ends', async () => {
    // Prepare
    const seeded = await seedApp(world, { published: { mode: 'optional' } });
    const user = await seedEnrolledUser(world, seeded.app);
    const other = await seedSession(world, user.user);
    const verifyBackupCode = async (backupCode: string) =>
      outcomeOf(verifyLogin(world.deps, { appId: seeded.app.id, challengeToken: await seedLoginChallenge(world, user.user), backupCode }));

    // Act
    const regenerated = await regenerateBackupCodes(world.deps, {
      appId: seeded.app.id,
      token: user.sessionToken,
      code: codeAt(user.secret, world.now),
    });
    const oldCode = await verifyBackupCode(user.backupCodes[0]!);
    const newCode = await verifyBackupCode(regenerated.backupCodes[0]!);

    // Assess
    expect(regenerated.backupCodes).toHaveLength(10);
    expect([oldCode, newCode]).toEqual(['invalid_code', 'ok']);
    await expect(me(seeded, user.sessionToken)).resolves.toMatchObject({ twoFactor: { backupCodesRemaining: 9 } });
    await expect(outcomeOf(me(seeded, other.sessionToken))).resolves.toBe('unauthorized');
    await expect(auditEntries(world, seeded.app.id, 'backup_codes.regenerated')).resolves.toHaveLength(1);
  });

  it('answers not_enrolled for a user without a second factor', async () => {
    // Prepare
    const seeded = await seedApp(world, { published: { mode: 'optional' } });
    const user = await seedUser(world, seeded.app);

    // Act
    const outcome = await outcomeOf(regenerateBackupCodes(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: '123456' }));

    // Assess
    expect(outcome).toBe('not_enrolled');
  });
});

describe('disableTwoFactor', () => {
  const enrolledUnder = async (mode: TwoFactorMode) => {
    const seeded = await seedApp(world, { published: { mode } });
    return { seeded, user: await seedEnrolledUser(world, seeded.app) };
  };

  it('is refused under a published required mode', async () => {
    // Prepare
    const { seeded, user } = await enrolledUnder('required');

    // Act
    const outcome = await outcomeOf(
      disableTwoFactor(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: codeAt(user.secret, world.now) }),
    );

    // Assess
    expect(outcome).toBe('two_factor_required');
  });

  it('counts a wrong code against the account', async () => {
    // Prepare
    const { seeded, user } = await enrolledUnder('optional');

    // Act
    const refusal = await disableTwoFactor(world.deps, {
      appId: seeded.app.id,
      token: user.sessionToken,
      code: wrongCodeAt(user.secret, world.now),
    }).catch((error: unknown) => error);

    // Assess
    expect(refusal).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 9 } });
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 1, lockedUntil: null });
  });

  it('removes the factor and the codes with a current code, and ends every other session and login challenge', async () => {
    // Prepare
    const { seeded, user } = await enrolledUnder('optional');
    const other = await seedSession(world, user.user);
    const challengeToken = await seedLoginChallenge(world, user.user);

    // Act
    const disabled = await disableTwoFactor(world.deps, {
      appId: seeded.app.id,
      token: user.sessionToken,
      code: codeAt(user.secret, world.now),
    });

    // Assess
    expect(disabled).toEqual({ status: 'DISABLED' });
    await expect(me(seeded, user.sessionToken)).resolves.toMatchObject({ twoFactor: { enabled: false, backupCodesRemaining: null } });
    await expect(world.deps.users.getTotpFactor(user.user.id)).resolves.toBeNull();
    await expect(world.deps.users.getBackupCodeSet(user.user.id)).resolves.toBeNull();
    await expect(outcomeOf(me(seeded, other.sessionToken))).resolves.toBe('unauthorized');
    await expect(
      outcomeOf(verifyLogin(world.deps, { appId: seeded.app.id, challengeToken, code: codeAt(user.secret, world.now + 30_000) })),
    ).resolves.toBe('challenge_invalid');
    await expect(auditEntries(world, seeded.app.id, 'two_factor.disabled')).resolves.toHaveLength(1);
  });
});
