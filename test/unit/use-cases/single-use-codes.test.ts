import { getMe } from '../../../functions/core/use-cases/get-me.js';
import { disableTwoFactor } from '../../../functions/core/use-cases/disable-two-factor.js';
import { regenerateBackupCodes } from '../../../functions/core/use-cases/regenerate-backup-codes.js';
import { stepUp } from '../../../functions/core/use-cases/step-up.js';
import { verifyLogin } from '../../../functions/core/use-cases/verify-login.js';
import {
  type EnrolledUser,
  type SeededApp,
  World,
  accountCount,
  auditEntries,
  codeAt,
  minuteMs,
  outcomeOf,
  seedApp,
  seedEnrolledUser,
  seedLoginChallenge,
  stepMs,
  tally,
} from '../../support/domain/world.js';

/**
 * What makes a code single use (README, Design: Single use, race-free): a time step once accepted, and every
 * earlier one, is never accepted again (RFC 6238 §5.2), whichever step accepted it; each backup code signs in
 * once, and the answer counts the codes left.
 */

let world: World;
let seeded: SeededApp;
let user: EnrolledUser;

beforeEach(async () => {
  world = new World();
  seeded = await seedApp(world, { published: { mode: 'optional' } });
  user = await seedEnrolledUser(world, seeded.app);
});

const appId = () => seeded.app.id;
const verifyCode = async (code: string) =>
  verifyLogin(world.deps, { appId: appId(), challengeToken: await seedLoginChallenge(world, user.user), code });
const verifyBackupCode = async (backupCode: string) =>
  verifyLogin(world.deps, { appId: appId(), challengeToken: await seedLoginChallenge(world, user.user), backupCode });

describe('time steps', () => {
  it.each([
    { offset: -2, outcome: 'invalid_code' },
    { offset: -1, outcome: 'ok' },
    { offset: 0, outcome: 'ok' },
    { offset: 1, outcome: 'ok' },
    { offset: 2, outcome: 'invalid_code' },
  ])('at a login, answers $outcome for the code of the time step $offset from now', async ({ offset, outcome }) => {
    // Act
    const result = await outcomeOf(verifyCode(codeAt(user.secret, world.now + offset * stepMs)));

    // Assess
    expect(result).toBe(outcome);
  });

  it.each([
    { step: 'a login', send: (code: string) => verifyCode(code) },
    { step: 'a step-up', send: (code: string) => stepUp(world.deps, { appId: appId(), token: user.sessionToken, code }) },
    {
      step: 'a backup-code regeneration',
      send: (code: string) => regenerateBackupCodes(world.deps, { appId: appId(), token: user.sessionToken, code }),
    },
    { step: 'a 2FA disable', send: (code: string) => disableTwoFactor(world.deps, { appId: appId(), token: user.sessionToken, code }) },
  ])('refuses at $step a code whose time step a step-up accepted, counting it as a wrong code', async ({ send }) => {
    // Prepare
    const code = codeAt(user.secret, world.now);
    await stepUp(world.deps, { appId: appId(), token: user.sessionToken, code });

    // Act
    const replay = await outcomeOf(send(code));

    // Assess
    expect(replay).toBe('invalid_code');
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 1, lockedUntil: null });
  });

  it('refuses an older time step once a newer one was accepted, and accepts the steps that follow', async () => {
    // Prepare: the authenticator's clock runs a step ahead; its code for the next step signs in first.
    await verifyCode(codeAt(user.secret, world.now + stepMs));

    // Act
    const older = await outcomeOf(verifyCode(codeAt(user.secret, world.now)));
    world.advance(stepMs);
    const sameAsAccepted = await outcomeOf(verifyCode(codeAt(user.secret, world.now)));
    world.advance(stepMs);
    const next = await outcomeOf(verifyCode(codeAt(user.secret, world.now)));

    // Assess
    expect([older, sameAsAccepted, next]).toEqual(['invalid_code', 'invalid_code', 'ok']);
  });

  it('of parallel logins with one code, signs in exactly one and refuses the others as replays', async () => {
    // Prepare
    const code = codeAt(user.secret, world.now);
    const challenges = await Promise.all(Array.from({ length: 3 }, () => seedLoginChallenge(world, user.user)));

    // Act
    const outcomes = await Promise.all(
      challenges.map((challengeToken) => outcomeOf(verifyLogin(world.deps, { appId: appId(), challengeToken, code }))),
    );

    // Assess
    expect(tally(outcomes)).toEqual({ ok: 1, invalid_code: 2 });
  });
});

describe('backup codes', () => {
  it('signs in once with each code, in any case and without its hyphen, and counts the codes left', async () => {
    // Prepare
    const [first, second] = user.backupCodes;

    // Act
    const firstUse = await verifyBackupCode(first!);
    const reuse = await verifyBackupCode(first!).catch((error: unknown) => error);
    world.advance(1_000);
    const secondUse = await verifyBackupCode(second!.toUpperCase().replace('-', ''));
    const me = await getMe(world.deps, { appId: appId(), token: firstUse.session.token });

    // Assess
    expect(firstUse.backupCodesRemaining).toBe(9);
    expect(reuse).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 4 } });
    expect(secondUse.backupCodesRemaining).toBe(8);
    expect(me.twoFactor.backupCodesRemaining).toBe(8);
    const used = await auditEntries(world, appId(), 'backup_code.used');
    expect(used.map((event) => event.detail)).toEqual([{ backupCodesRemaining: 9 }, { backupCodesRemaining: 8 }]);
  });

  it.each([
    { kind: 'a code not in the set', backupCode: 'zzzzz-zzzzz' },
    { kind: 'a string that cannot be a backup code', backupCode: 'not a code' },
  ])('counts $kind as a wrong second-factor code', async ({ backupCode }) => {
    // Act
    const refusal = await verifyBackupCode(backupCode).catch((error: unknown) => error);

    // Assess
    expect(refusal).toMatchObject({ code: 'invalid_code', details: { attemptsRemaining: 4 } });
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 1, lockedUntil: null });
  });

  it('spends a code on a step-up as at a login, audited with stepUp', async () => {
    // Act
    const steppedUp = await stepUp(world.deps, { appId: appId(), token: user.sessionToken, backupCode: user.backupCodes[0]! });
    const atLogin = await outcomeOf(verifyBackupCode(user.backupCodes[0]!));

    // Assess
    expect(steppedUp.session.stepUpExpiresAt).toBe(new Date(world.now + 10 * minuteMs).toISOString());
    expect(atLogin).toBe('invalid_code');
    const used = await auditEntries(world, appId(), 'backup_code.used');
    expect(used.map((event) => event.detail)).toEqual([{ backupCodesRemaining: 9, stepUp: true }]);
  });

  it('of parallel logins with one backup code, signs in exactly one', async () => {
    // Prepare
    const challenges = await Promise.all(Array.from({ length: 3 }, () => seedLoginChallenge(world, user.user)));

    // Act
    const outcomes = await Promise.all(
      challenges.map((challengeToken) =>
        outcomeOf(verifyLogin(world.deps, { appId: appId(), challengeToken, backupCode: user.backupCodes[0]! })),
      ),
    );

    // Assess
    expect(tally(outcomes)).toEqual({ ok: 1, invalid_code: 2 });
    expect((await world.deps.users.getBackupCodeSet(user.user.id))!.remainingHashes).toHaveLength(9);
  });
});
