import { jest } from '@jest/globals';
import { getMe } from '../../../functions/core/use-cases/get-me.js';
import { listAuditEvents } from '../../../functions/core/use-cases/list-audit-events.js';
import { listUsers } from '../../../functions/core/use-cases/list-users.js';
import { adminResetTwoFactor, resetUserTwoFactor, unlockUser } from '../../../functions/core/use-cases/reset-two-factor.js';
import { stepUp } from '../../../functions/core/use-cases/step-up.js';
import { verifyLogin } from '../../../functions/core/use-cases/verify-login.js';
import {
  type EnrolledUser,
  Gate,
  type SeededApp,
  type SeededUser,
  World,
  accountCount,
  auditEntries,
  codeAt,
  minuteMs,
  outcomeOf,
  seedApp,
  seedEnrolledUser,
  seedLoginChallenge,
  seedUser,
  setAccountCount,
  setDeviceCount,
  setEmailCount,
} from '../../support/domain/world.js';

/**
 * What an app's admins may do to its users (README, API extensions: Step-up; Design: Single use): a reset or
 * an unlock needs a second factor proven in the last 10 minutes (when the admin has one), never acts on the
 * admin's own account, and only on users of the app; a reset ends every session and challenge of the user
 * (a new generation), and both end the user's lockouts. Also the admin's listings and a user's `me`.
 */

let world: World;
let seeded: SeededApp;

beforeEach(async () => {
  world = new World();
  seeded = await seedApp(world, { published: { mode: 'optional' } });
});

type AdminAction = (admin: SeededUser, userId: string) => Promise<unknown>;

const actions: { action: string; act: AdminAction }[] = [
  {
    action: 'reset',
    act: (admin, userId) => adminResetTwoFactor(world.deps, { appId: seeded.app.id, token: admin.sessionToken, userId, reason: null }),
  },
  { action: 'unlock', act: (admin, userId) => unlockUser(world.deps, { appId: seeded.app.id, token: admin.sessionToken, userId }) },
];

describe('the step-up window of an admin’s reset and unlock', () => {
  it.each(
    actions.flatMap(({ action, act }) => [
      { action, act, proof: 'no second factor proven', stepUpAgo: null, outcome: 'step_up_required' },
      { action, act, proof: 'a step-up 10 min − 1 ms ago', stepUpAgo: 10 * minuteMs - 1, outcome: 'ok' },
      { action, act, proof: 'a step-up 10 min ago', stepUpAgo: 10 * minuteMs, outcome: 'step_up_required' },
    ]),
  )('an enrolled admin’s $action with $proof answers $outcome', async ({ act, stepUpAgo, outcome }) => {
    // Prepare
    const admin = await seedEnrolledUser(world, seeded.app, 'admin');
    const member = await seedUser(world, seeded.app);
    if (stepUpAgo !== null) {
      await stepUp(world.deps, { appId: seeded.app.id, token: admin.sessionToken, code: codeAt(admin.secret, world.now) });
      world.advance(stepUpAgo);
    }

    // Act
    const result = await outcomeOf(act(admin, member.user.id));

    // Assess
    expect(result).toBe(outcome);
  });

  it.each(actions)('an admin without a second factor needs no step-up to $action', async ({ act }) => {
    // Prepare
    const member = await seedUser(world, seeded.app);

    // Act
    const result = await outcomeOf(act(seeded.admin, member.user.id));

    // Assess
    expect(result).toBe('ok');
  });

  it.each(
    actions.flatMap(({ action, act }) => [
      { action, act, target: 'the admin’s own account', outcome: 'forbidden' },
      { action, act, target: 'a user of another app', outcome: 'not_found' },
    ]),
  )('$action of $target answers $outcome', async ({ act, target, outcome }) => {
    // Prepare
    const other = await seedApp(world);
    const userId = target === 'a user of another app' ? (await seedUser(world, other.app)).user.id : seeded.admin.user.id;

    // Act
    const result = await outcomeOf(act(seeded.admin, userId));

    // Assess
    expect(result).toBe(outcome);
  });

  it.each(actions)('a member may not $action anyone', async ({ act }) => {
    // Prepare
    const member = await seedUser(world, seeded.app);
    const target = await seedUser(world, seeded.app);

    // Act
    const result = await outcomeOf(act(member, target.user.id));

    // Assess
    expect(result).toBe('forbidden');
  });
});

describe('a 2FA reset', () => {
  let user: EnrolledUser;

  beforeEach(async () => {
    user = await seedEnrolledUser(world, seeded.app);
  });

  it('ends every session and login challenge of the user and removes the factor and its codes', async () => {
    // Prepare
    const challengeToken = await seedLoginChallenge(world, user.user);

    // Act
    const answer = await adminResetTwoFactor(world.deps, {
      appId: seeded.app.id,
      token: seeded.admin.sessionToken,
      userId: user.user.id,
      reason: 'lost phone',
    });

    // Assess
    expect(answer.user).toMatchObject({ id: user.user.id, twoFactorSetupComplete: false });
    await expect(outcomeOf(getMe(world.deps, { appId: seeded.app.id, token: user.sessionToken }))).resolves.toBe('unauthorized');
    await expect(
      outcomeOf(verifyLogin(world.deps, { appId: seeded.app.id, challengeToken, code: codeAt(user.secret, world.now) })),
    ).resolves.toBe('challenge_invalid');
    await expect(world.deps.users.getTotpFactor(user.user.id)).resolves.toBeNull();
    await expect(world.deps.users.getBackupCodeSet(user.user.id)).resolves.toBeNull();
    const resets = await auditEntries(world, seeded.app.id, 'two_factor.reset');
    expect(resets).toEqual([
      expect.objectContaining({ actorId: seeded.admin.user.id, targetUserId: user.user.id, detail: { reason: 'lost phone' } }),
    ]);
  });

  it('leaves a login verify that raced it without a session: its right code, judged before the reset, no longer commits', async () => {
    // Prepare: the code is judged, then held before its write while the reset commits.
    const challengeToken = await seedLoginChallenge(world, user.user);
    const commit = world.deps.sessions.completeLoginWithTotp.bind(world.deps.sessions);
    const gate = new Gate();
    jest.spyOn(world.deps.sessions, 'completeLoginWithTotp').mockImplementationOnce(async (input) => {
      await gate.pass();
      return commit(input);
    });
    const verifying = outcomeOf(verifyLogin(world.deps, { appId: seeded.app.id, challengeToken, code: codeAt(user.secret, world.now) }));
    await gate.reachedBy(verifying);

    // Act
    await resetUserTwoFactor(world.deps, { appId: seeded.app.id, userId: user.user.id, actorId: 'platform:support', reason: null });
    gate.open();

    // Assess
    await expect(verifying).resolves.toBe('challenge_invalid');
  });

  it('ends the user’s password lockouts, of the email and of each device', async () => {
    // Prepare
    const locked = { failedAttempts: 10, lockedUntil: world.now + minuteMs };
    await setEmailCount(world, seeded.app.id, user.email, locked);
    await setDeviceCount(world, user, 'passwordFailures', locked);

    // Act
    await resetUserTwoFactor(world.deps, { appId: seeded.app.id, userId: user.user.id, actorId: 'platform:support', reason: null });

    // Assess
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toBeNull();
    await expect(world.deps.sessions.getDevice(user.user.id, user.deviceId)).resolves.toMatchObject({
      passwordFailures: { failedAttempts: 0, lockedUntil: null },
    });
  });

  it.each([
    { unknown: 'app', input: () => ({ appId: 'app_nobody', userId: user.user.id }) },
    { unknown: 'user', input: () => ({ appId: seeded.app.id, userId: 'usr_nobody' }) },
  ])('by the platform answers not_found for an unknown $unknown', async ({ input }) => {
    // Act
    const result = await outcomeOf(resetUserTwoFactor(world.deps, { ...input(), actorId: 'platform:support', reason: null }));

    // Assess
    expect(result).toBe('not_found');
  });
});

describe('an unlock', () => {
  it('ends every lockout of the user (email, account, each device) and keeps the user’s sessions', async () => {
    // Prepare
    const user = await seedEnrolledUser(world, seeded.app);
    const locked = { failedAttempts: 10, lockedUntil: world.now + minuteMs };
    await setEmailCount(world, seeded.app.id, user.email, locked);
    await setAccountCount(world, user.user.id, locked);
    await setDeviceCount(world, user, 'passwordFailures', locked);
    await setDeviceCount(world, user, 'secondFactorFailures', locked);

    // Act
    const answer = await unlockUser(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, userId: user.user.id });
    const steppedUp = await outcomeOf(
      stepUp(world.deps, { appId: seeded.app.id, token: user.sessionToken, code: codeAt(user.secret, world.now) }),
    );

    // Assess
    expect(answer.user).toMatchObject({ id: user.user.id, twoFactorSetupComplete: true });
    expect(steppedUp).toBe('ok');
    await expect(world.deps.users.getPasswordFailures(seeded.app.id, user.email)).resolves.toBeNull();
    await expect(accountCount(world, user.user.id)).resolves.toEqual({ failedAttempts: 0, lockedUntil: null });
    await expect(world.deps.sessions.getDevice(user.user.id, user.deviceId)).resolves.toMatchObject({
      passwordFailures: { failedAttempts: 0, lockedUntil: null },
      secondFactorFailures: { failedAttempts: 0, lockedUntil: null },
    });
    const unlocked = await auditEntries(world, seeded.app.id, 'user.unlocked');
    expect(unlocked).toEqual([expect.objectContaining({ actorId: seeded.admin.user.id, targetUserId: user.user.id })]);
  });
});

describe('listings', () => {
  it('lists the app’s users oldest first, a page at a time, with the 2FA column once the published mode is not off', async () => {
    // Prepare
    world.advance(1_000);
    const enrolled = await seedEnrolledUser(world, seeded.app);
    world.advance(1_000);
    const member = await seedUser(world, seeded.app);
    await seedUser(world, (await seedApp(world)).app);

    // Act
    const first = await listUsers(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, limit: 2, cursor: null });
    const second = await listUsers(world.deps, {
      appId: seeded.app.id,
      token: seeded.admin.sessionToken,
      limit: 2,
      cursor: first.nextCursor,
    });

    // Assess
    expect(first.users.map((user) => [user.id, user.twoFactorSetupComplete])).toEqual([
      [seeded.admin.user.id, false],
      [enrolled.user.id, true],
    ]);
    expect(second.users.map((user) => user.id)).toEqual([member.user.id]);
    expect(second.nextCursor).toBeNull();
    expect(first.twoFactorColumn).toBe(true);
  });

  it.each([
    { mode: 'optional', column: true },
    { mode: null, column: false },
    { mode: 'off', column: false },
  ] as const)('shows the 2FA column under the published mode $mode: $column', async ({ mode, column }) => {
    // Prepare
    const app = await seedApp(world, { published: mode === null ? null : { mode } });

    // Act
    const page = await listUsers(world.deps, { appId: app.app.id, token: app.admin.sessionToken, limit: 10, cursor: null });

    // Assess
    expect(page.twoFactorColumn).toBe(column);
  });

  it('refuses a cursor it did not make', async () => {
    // Act
    const result = await outcomeOf(
      listUsers(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, limit: 2, cursor: 'bm9wZQ' }),
    );

    // Assess
    expect(result).toBe('validation_error');
  });

  it('lists the audit trail newest first, a page at a time, without the app id', async () => {
    // Prepare
    const member = await seedUser(world, seeded.app);
    world.advance(1_000);
    await unlockUser(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, userId: member.user.id });
    world.advance(1_000);
    await resetUserTwoFactor(world.deps, { appId: seeded.app.id, userId: member.user.id, actorId: 'platform:support', reason: null });

    // Act
    const first = await listAuditEvents(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, limit: 2, cursor: null });
    const second = await listAuditEvents(world.deps, {
      appId: seeded.app.id,
      token: seeded.admin.sessionToken,
      limit: 2,
      cursor: first.nextCursor,
    });

    // Assess
    expect(first.events.map((event) => event.type)).toEqual(['two_factor.reset', 'user.unlocked']);
    expect(second.events.map((event) => event.type)).toEqual(['app.created']);
    expect(first.events[0]).not.toHaveProperty('appId');
  });

  it.each([
    { listing: 'users', list: (token: string) => listUsers(world.deps, { appId: seeded.app.id, token, limit: 10, cursor: null }) },
    {
      listing: 'audit events',
      list: (token: string) => listAuditEvents(world.deps, { appId: seeded.app.id, token, limit: 10, cursor: null }),
    },
  ])('refuses a member the $listing', async ({ list }) => {
    // Prepare
    const member = await seedUser(world, seeded.app);

    // Act
    const result = await outcomeOf(list(member.sessionToken));

    // Assess
    expect(result).toBe('forbidden');
  });
});

describe('getMe', () => {
  it('tells an enrolled user when 2FA was enabled and how many backup codes are left', async () => {
    // Prepare
    const user = await seedEnrolledUser(world, seeded.app);

    // Act
    const me = await getMe(world.deps, { appId: seeded.app.id, token: user.sessionToken });

    // Assess
    expect(me).toEqual({
      user: { id: user.user.id, email: user.email, role: 'member' },
      twoFactor: { enabled: true, enabledAt: new Date(world.now).toISOString(), backupCodesRemaining: 10, required: false, enrollBy: null },
      app: { id: seeded.app.id, name: seeded.app.name, twoFactorMode: 'optional' },
    });
  });

  it('shows no backup codes for a user without 2FA, and the mode off for an app that never published', async () => {
    // Prepare
    const unpublished = await seedApp(world);

    // Act
    const me = await getMe(world.deps, { appId: unpublished.app.id, token: unpublished.admin.sessionToken });

    // Assess
    expect(me.twoFactor).toEqual({ enabled: false, enabledAt: null, backupCodesRemaining: null, required: false, enrollBy: null });
    expect(me.app.twoFactorMode).toBe('off');
  });
});
