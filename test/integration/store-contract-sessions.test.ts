import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent, Challenge, ChallengeRoom, FailureCount, TotpFactor, User } from '../../functions/core/model.js';
import type { CountedOn, DeviceUse, Repositories } from '../../functions/core/ports.js';
import { newId } from '../../functions/core/tokens.js';
import {
  aChallenge,
  aDevice,
  anAppCreation,
  anAudit,
  aSession,
  email,
  type Enrolled,
  enrolled,
  newDevice,
  signedUp,
} from '../support/store-contract/fixtures.js';
import { closeStores, expectConflict, expectOneWinner, limits, rejectionOf, stores } from '../support/store-contract/stores.js';

/**
 * The store contract, part 3: sessions, login challenges and devices, and the writes that prove a second
 * factor (a login's second step, a step-up), against the in-memory store and the DynamoDB one alike.
 */

afterAll(closeStores);

const none: FailureCount = { failedAttempts: 0, lockedUntil: null };
const locked: FailureCount = { failedAttempts: 10, lockedUntil: 4_000_000_000_000 };

/** A login challenge as stored (in the DynamoDB store, inside its user's factor), read as a verify reads it. */
async function storedLoginChallenge(repos: Repositories, challenge: Challenge): Promise<Challenge | null> {
  const read = await repos.sessions.readLoginAttempt({
    appId: challenge.appId,
    challengeHash: challenge.tokenHash,
    userId: challenge.userId,
    deviceId: null,
    backupCodes: false,
  });
  return read.challenge;
}

describe.each(stores)('the $name store', ({ repositories }) => {
  let repos: Repositories;
  beforeAll(() => {
    repos = repositories();
  });

  describe('sessions and challenges', () => {
    it('issues a session to a new device, and deletes it', async () => {
      const { user } = await signedUp(repos);
      const device = aDevice(user);
      const session = aSession(user, { deviceId: device.id, assurance: 'two_factor', secondFactorAt: 5 });

      await repos.sessions.issueSession(session, newDevice(device));
      expect(await repos.sessions.getSession(session.tokenHash)).toEqual(session);
      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual(device);

      await repos.sessions.deleteSession(session.tokenHash);
      expect(await repos.sessions.getSession(session.tokenHash)).toBeNull();
    });

    it('records the use of a known device: token, last use, remembering set (never unset), the counts it clears', async () => {
      const { user, device } = await signedUp(repos);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, locked);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'secondFactorFailures', none, locked);
      const used = { ...device, tokenHash: 'f'.repeat(64), lastUsedAt: '2031-01-01T00:00:00.000Z', createdAt: 'ignored', expiresAt: 1 };
      const remembered = { ...used, rememberedAt: 100, rememberedUntil: 200, rememberGeneration: 4 };

      await repos.sessions.issueSession(aSession(user), { kind: 'known', device: remembered, clear: ['secondFactorFailures'] });
      await repos.sessions.issueSession(aSession(user), { kind: 'known', device: used, clear: [] });

      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual({
        ...device,
        tokenHash: used.tokenHash,
        lastUsedAt: used.lastUsedAt,
        rememberedAt: 100,
        rememberedUntil: 200,
        rememberGeneration: 4,
        passwordFailures: locked,
        secondFactorFailures: none,
      });
    });

    it('refuses a device forgotten, of another generation, or new with a taken id (device_changed), without the session', async () => {
      const { user, device } = await signedUp(repos);
      const other = aDevice(user);
      await repos.sessions.issueSession(aSession(user), newDevice(other));
      await repos.sessions.forgetDevice(user, device.id, anAudit(user.appId));
      const session = aSession(user);
      const known = (use: typeof device): DeviceUse => ({ kind: 'known', device: use, clear: [] });

      await expectConflict(repos.sessions.issueSession(session, known(device)), 'device_changed');
      await expectConflict(repos.sessions.issueSession(session, known({ ...other, generation: 1 })), 'device_changed');
      await expectConflict(repos.sessions.issueSession(session, newDevice({ ...other, tokenHash: 'e'.repeat(64) })), 'device_changed');
      expect(await repos.sessions.getSession(session.tokenHash)).toBeNull();
      expect(await repos.sessions.getDevice(user.id, other.id)).toEqual(other);
    });

    it('hands back expired sessions and challenges as stored (expiry is for the caller to judge)', async () => {
      const { user } = await enrolled(repos);
      const session = aSession(user, { expiresAt: 1 });
      const challenge = aChallenge(user, { expiresAt: 1, deviceId: newId('dev') });
      const enrollment = aChallenge(user, { purpose: 'enrollment', expiresAt: 1 });
      await repos.sessions.issueSession(session, newDevice(aDevice(user)));
      await repos.sessions.putChallenge(challenge);
      await repos.sessions.putChallenge(enrollment);

      expect(await repos.sessions.getSession(session.tokenHash)).toEqual(session);
      expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
      expect(await repos.sessions.getChallenge(enrollment.tokenHash)).toEqual(enrollment);
      expect(await storedLoginChallenge(repos, aChallenge(user))).toBeNull();
      expect(await repos.sessions.getChallenge(aChallenge(user, { purpose: 'enrollment' }).tokenHash)).toBeNull();
    });
  });

  describe('devices', () => {
    it("lists every device of the user by id, and no one else's", async () => {
      const { user, device } = await signedUp(repos);
      const more = [aDevice(user), aDevice(user, { generation: 9 })];
      for (const extra of more) await repos.sessions.issueSession(aSession(user), newDevice(extra));
      await signedUp(repos, user.appId);

      const listed = await repos.sessions.listDevices(user.id);

      expect(listed).toEqual([device, ...more].sort((a, b) => (a.id < b.id ? -1 : 1)));
      expect(await repos.sessions.listDevices(newId('usr'))).toEqual([]);
    });

    it('forgets a device of the current generation once, with its audit entry', async () => {
      const { user, device } = await signedUp(repos);
      const audit = anAudit(user.appId, 'device.forgotten', { targetUserId: user.id });

      expect(await repos.sessions.forgetDevice(user, device.id, audit)).toBe(true);
      expect(await repos.sessions.forgetDevice(user, device.id, anAudit(user.appId))).toBe(false);
      expect(await repos.sessions.getDevice(user.id, device.id)).toBeNull();
      expect((await repos.audit.listAuditEvents(user.appId, 5, null)).items).toEqual([audit]);
    });

    it('signs out everywhere (new session and device generations), after which no old device can be forgotten', async () => {
      const { user, device } = await signedUp(repos);

      await repos.sessions.signOutEverywhere(user, anAudit(user.appId, 'sessions.revoked'));
      const after = await repos.users.getUser(user.id);

      expect(after).toEqual({ ...user, generation: user.generation + 1, deviceGeneration: user.deviceGeneration + 1 });
      expect(await repos.sessions.forgetDevice(after!, device.id, anAudit(user.appId))).toBe(false);
      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual(device);
      await expectConflict(repos.sessions.signOutEverywhere(user, anAudit(user.appId)), 'user_changed');
    });

    it("moves one of a device's counts only from what the caller saw; a device gone moves nothing", async () => {
      const { user, device } = await signedUp(repos);

      expect(await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, locked)).toBe(true);
      expect(await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, locked)).toBe(false);
      expect(
        await repos.sessions.moveDeviceFailures(
          user.id,
          device.id,
          'secondFactorFailures',
          { failedAttempts: 10, lockedUntil: null },
          none,
        ),
      ).toBe(false);
      expect(await repos.sessions.moveDeviceFailures(user.id, newId('dev'), 'passwordFailures', none, locked)).toBe(false);

      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual({
        ...device,
        passwordFailures: locked,
        secondFactorFailures: none,
      });
    });
  });

  describe('step-up', () => {
    const stepUp = (
      repos: Repositories,
      who: Enrolled,
      proof: { step: number } | { setId: string; codeHash: string },
      countedOn: CountedOn = { kind: 'account' },
    ) => repos.sessions.stepUp({ user: who.user, session: who.session, secondFactorAt: 77, proof, countedOn, audit: null });

    it('spends the step and stamps the session; on the account it also clears the account count', async () => {
      const who = await enrolled(repos);
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, locked);

      await stepUp(repos, who, { step: 1001 });

      expect(await repos.sessions.getSession(who.session.tokenHash)).toEqual({
        ...who.session,
        secondFactorAt: 77,
        assurance: 'two_factor',
      });
      expect(await repos.users.getTotpFactor(who.user.id)).toEqual({ ...who.factor, lastAcceptedStep: 1001, ...none });
      await expectConflict(stepUp(repos, who, { step: 1001 }), 'step_used');
    });

    it("spends a backup code once; counted on a device it leaves the account's count", async () => {
      const who = await enrolled(repos);
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, locked);
      const [code, ...rest] = who.codes.remainingHashes;
      const audit = anAudit(who.user.appId, 'backup_code.used');

      await repos.sessions.stepUp({
        user: who.user,
        session: who.session,
        secondFactorAt: 77,
        proof: { setId: who.codes.setId, codeHash: code! },
        countedOn: { kind: 'device', deviceId: who.device.id },
        audit,
      });

      expect((await repos.users.getBackupCodeSet(who.user.id))?.remainingHashes.sort()).toEqual(rest.sort());
      expect(await repos.users.getTotpFactor(who.user.id)).toEqual({ ...who.factor, ...locked });
      expect((await repos.audit.listAuditEvents(who.user.appId, 1, null)).items).toEqual([audit]);
      await expectConflict(stepUp(repos, who, { setId: who.codes.setId, codeHash: code! }), 'backup_code_used');
      await expectConflict(stepUp(repos, who, { setId: 'bcs_other', codeHash: rest[0]! }), 'backup_code_used');
    });

    it('refuses a user reset or signed out meanwhile, or a session of another generation (user_changed)', async () => {
      const who = await enrolled(repos);
      const oldSession = aSession(who.user, { generation: 0 });
      await repos.sessions.issueSession(oldSession, newDevice(aDevice(who.user)));

      await expectConflict(stepUp(repos, { ...who, user: { ...who.user, generation: 0 } }, { step: 1001 }), 'user_changed');
      await expectConflict(stepUp(repos, { ...who, session: oldSession }, { step: 1001 }), 'user_changed');
      await expectConflict(stepUp(repos, { ...who, session: aSession(who.user) }, { step: 1001 }), 'user_changed');
      expect((await repos.users.getTotpFactor(who.user.id))?.lastAcceptedStep).toBe(1000);
    });
  });

  describe('the password step', () => {
    const expired: FailureCount = { failedAttempts: 10, lockedUntil: 1_000 };
    const now = 2_000;

    it('reads the app, the user an email is claimed by and its count at once', async () => {
      const { app, admin } = { ...anAppCreation() };
      await repos.apps.createApp({ ...anAppCreation(), app, admin });
      await repos.users.movePasswordFailures(app.id, admin.email, none, expired, 2_000_000_000);

      expect(await repos.users.readPasswordStep(app.id, admin.email)).toEqual({
        app: { ...app, publishedConfig: null },
        userId: admin.id,
        emailFailures: expired,
      });
      expect(await repos.users.readPasswordStep(newId('app'), admin.email)).toEqual({ app: null, userId: null, emailFailures: null });
    });

    it('reads a user with one of its devices', async () => {
      const { user, device } = await signedUp(repos);

      expect(await repos.users.readUserWithDevice(user.id, device.id)).toEqual({ user, challengeRoom: null, device });
      expect(await repos.users.readUserWithDevice(user.id, null)).toEqual({ user, challengeRoom: null, device: null });
      expect(await repos.users.readUserWithDevice(newId('usr'), device.id)).toEqual({ user: null, challengeRoom: null, device: null });
    });

    it("reads where an enrolled user's login challenge goes: their factor", async () => {
      const who = await enrolled(repos);

      const read = await repos.users.readUserWithDevice(who.user.id, who.device.id);

      expect(read).toEqual({ user: who.user, challengeRoom: expect.anything(), device: who.device });
      expect(read.challengeRoom?.factorEnabledAt).toBe(who.factor.enabledAt);
    });

    it("counts a wrong password on the email's count, or on the presented device's, only from what the caller saw", async () => {
      const { user, device } = await signedUp(repos);
      const count = (countedOn: CountedOn, seen: FailureCount, userId: string | null = user.id) =>
        repos.users.countPasswordFailure({
          appId: user.appId,
          email: user.email,
          userId,
          countedOn,
          seen,
          next: expired,
          expiresAt: 2_000_000_000,
          lockout: null,
          userHasFactor: false,
        });
      const onDevice: CountedOn = { kind: 'device', deviceId: device.id };

      expect(await count({ kind: 'account' }, none)).toBe('counted');
      expect(await count({ kind: 'account' }, none)).toBe('count_moved');
      expect(await count(onDevice, none)).toBe('counted');
      expect(await count(onDevice, none)).toBe('count_moved');
      expect(await count({ kind: 'device', deviceId: newId('dev') }, none)).toBe('count_moved');
      expect(await count(onDevice, expired, null)).toBe('counted');

      expect(await repos.users.getPasswordFailures(user.appId, user.email)).toEqual(expired);
      expect((await repos.sessions.getDevice(user.id, device.id))?.passwordFailures).toEqual(expired);
    });

    it('records a password lockout with its count, once (audit_exists)', async () => {
      const [appId, address] = [newId('app'), email()];
      const lockout = anAudit(appId, 'password.locked_out');
      const count = (seen: FailureCount) =>
        repos.users.countPasswordFailure({
          appId,
          email: address,
          userId: null,
          countedOn: { kind: 'account' },
          seen,
          next: locked,
          expiresAt: 2_000_000_000,
          lockout,
          userHasFactor: false,
        });

      expect(await count(none)).toBe('counted');
      await expectConflict(count(locked), 'audit_exists');

      expect((await repos.audit.listAuditEvents(appId, 5, null)).items).toEqual([lockout]);
      expect(await repos.users.getPasswordFailures(appId, address)).toEqual(locked);
    });

    it("clears the email's count unless it is locked now (count_locked), and starts a challenge", async () => {
      const { user } = await enrolled(repos);
      const challenge = aChallenge(user);
      const seen = { failedAttempts: 10, lockedUntil: now + 1 };
      await repos.users.movePasswordFailures(user.appId, user.email, none, seen, 2_000_000_000);
      const { challengeRoom: room } = await repos.users.readUserWithDevice(user.id, null);
      const step = (at: number, start: Challenge, asSeen: FailureCount) =>
        repos.sessions.completePasswordStep({
          user,
          countedOn: { kind: 'account' },
          now: at,
          start: { challenge: start, room, seen: asSeen },
        });

      await expectConflict(step(now, challenge, seen), 'count_locked');
      expect(await storedLoginChallenge(repos, challenge)).toBeNull();
      await step(now + 1, challenge, seen);

      expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
      expect(await repos.users.getPasswordFailures(user.appId, user.email)).toBeNull();
      const second = aChallenge(user);
      await step(now, second, none);
      expect(await storedLoginChallenge(repos, second)).toEqual(second);
      expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
    });

    it.each([
      ['', true],
      [', also when the factor was not there when the lock was read', false],
    ])(
      "refuses a login challenge while a lock of the email's count, counted after the count was seen clear, holds (count_locked)%s",
      async (_, userHasFactor) => {
        const who = await enrolled(repos);
        const { user } = who;
        const { challengeRoom: room } = await repos.users.readUserWithDevice(user.id, null);
        const lockout = anAudit(user.appId, 'password.locked_out', { targetUserId: user.id });
        const lockedNow = { failedAttempts: 10, lockedUntil: now + 1 };
        expect(
          await repos.users.countPasswordFailure({
            appId: user.appId,
            email: user.email,
            userId: user.id,
            countedOn: { kind: 'account' },
            seen: none,
            next: lockedNow,
            expiresAt: 2_000_000_000,
            lockout,
            userHasFactor,
          }),
        ).toBe('counted');
        const challenge = aChallenge(user);
        const step = (at: number) =>
          repos.sessions.completePasswordStep({ user, countedOn: { kind: 'account' }, now: at, start: { challenge, room, seen: none } });

        await expectConflict(step(now), 'count_locked');
        expect(await storedLoginChallenge(repos, challenge)).toBeNull();
        await repos.users.unlockUser(user, [], anAudit(user.appId, 'user.unlocked', { targetUserId: user.id }));
        await step(now);
        expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
      },
    );

    it('refuses a login challenge for a factor removed or replaced since it was read (user_changed)', async () => {
      const who = await enrolled(repos);
      const { user } = who;
      const challenge = aChallenge(user);
      const start = (room: ChallengeRoom | null) => ({ challenge, room, seen: none });
      const step = (room: ChallengeRoom | null) =>
        repos.sessions.completePasswordStep({ user, countedOn: { kind: 'account' }, now, start: start(room) });

      await expectConflict(step(null), 'user_changed');
      await expectConflict(step({ factorEnabledAt: '2001-01-01T00:00:00.000Z', slots: null }), 'user_changed');
      expect(await storedLoginChallenge(repos, challenge)).toBeNull();
    });

    it("clears the presented device's count with the session's own device write, unless locked now", async () => {
      const { user, device } = await signedUp(repos);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, { failedAttempts: 10, lockedUntil: now + 1 });
      const countedOn: CountedOn = { kind: 'device', deviceId: device.id };
      const session = aSession(user, { deviceId: device.id });
      const use: DeviceUse = { kind: 'known', device, clear: ['passwordFailures'] };

      await expectConflict(repos.sessions.completePasswordStep({ user, countedOn, now, start: { session, device: use } }), 'count_locked');
      expect(await repos.sessions.getSession(session.tokenHash)).toBeNull();
      await repos.sessions.completePasswordStep({ user, countedOn, now: now + 1, start: { session, device: use } });

      expect(await repos.sessions.getSession(session.tokenHash)).toEqual(session);
      expect((await repos.sessions.getDevice(user.id, device.id))?.passwordFailures).toEqual(none);
    });

    it('leaves the presented device to clear only the counts its use names', async () => {
      const { user, device } = await signedUp(repos);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, expired);
      const use: DeviceUse = { kind: 'known', device, clear: [] };

      await repos.sessions.completePasswordStep({
        user,
        countedOn: { kind: 'device', deviceId: device.id },
        now,
        start: { session: aSession(user), device: use },
      });

      expect((await repos.sessions.getDevice(user.id, device.id))?.passwordFailures).toEqual(expired);
    });

    it("clears the presented device's count when the session goes to another device, refusing a device forgotten (device_changed)", async () => {
      const { user, device } = await signedUp(repos);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, expired);
      const countedOn: CountedOn = { kind: 'device', deviceId: device.id };
      const other = aDevice(user);

      await repos.sessions.completePasswordStep({ user, countedOn, now, start: { session: aSession(user), device: newDevice(other) } });

      expect((await repos.sessions.getDevice(user.id, device.id))?.passwordFailures).toEqual(none);
      expect(await repos.sessions.getDevice(user.id, other.id)).toEqual(other);
      await repos.sessions.signOutEverywhere(user, anAudit(user.appId));
      const after = (await repos.users.getUser(user.id))!;
      await expectConflict(
        repos.sessions.completePasswordStep({
          user: after,
          countedOn,
          now,
          start: { challenge: aChallenge(after, { purpose: 'enrollment' }), room: null, seen: none },
        }),
        'device_changed',
      );
      await expectConflict(
        repos.sessions.completePasswordStep({
          user,
          countedOn: { kind: 'device', deviceId: newId('dev') },
          now,
          start: { challenge: aChallenge(user, { purpose: 'enrollment' }), room: null, seen: none },
        }),
        'device_changed',
      );
    });
  });

  describe('counting a wrong login code', () => {
    const count = (
      repos: Repositories,
      who: Enrolled,
      challenge: Challenge,
      seen: FailureCount,
      options: { countedOn?: CountedOn; lockout?: AuditEvent } = {},
    ) =>
      repos.sessions.countLoginFailure({
        challenge,
        userId: who.user.id,
        countedOn: options.countedOn ?? { kind: 'account' },
        seen,
        next: { failedAttempts: seen.failedAttempts + 1, lockedUntil: options.lockout ? 4_000_000_000_000 : null },
        lockout: options.lockout ?? null,
      });

    it('reads everything a code is judged by at once', async () => {
      const who = await enrolled(repos);
      const challenge = aChallenge(who.user, { deviceId: who.device.id });
      await repos.sessions.putChallenge(challenge);
      const read = (deviceId: string | null, backupCodes: boolean) =>
        repos.sessions.readLoginAttempt({
          appId: who.user.appId,
          challengeHash: challenge.tokenHash,
          userId: who.user.id,
          deviceId,
          backupCodes,
        });

      const all = await read(who.device.id, true);
      const none = await repos.sessions.readLoginAttempt({
        appId: newId('app'),
        challengeHash: aChallenge(who.user).tokenHash,
        userId: newId('usr'),
        deviceId: newId('dev'),
        backupCodes: true,
      });

      expect({ ...all, backupCodes: { ...all.backupCodes, remainingHashes: all.backupCodes?.remainingHashes.sort() } }).toEqual({
        app: null,
        challenge,
        user: who.user,
        factor: who.factor,
        device: who.device,
        backupCodes: { ...who.codes, remainingHashes: [...who.codes.remainingHashes].sort() },
      });
      expect(await read(null, false)).toEqual({ ...all, device: null, backupCodes: null });
      expect(none).toEqual({ app: null, challenge: null, user: null, factor: null, device: null, backupCodes: null });
    });

    it("counts one more failure on the challenge and moves the account's or the device's count", async () => {
      const who = await enrolled(repos);
      const challenge = aChallenge(who.user);
      await repos.sessions.putChallenge(challenge);

      expect(await count(repos, who, challenge, none)).toBe('counted');
      expect(await count(repos, who, challenge, none, { countedOn: { kind: 'device', deviceId: who.device.id } })).toBe('counted');

      expect((await storedLoginChallenge(repos, challenge))?.failedAttempts).toBe(2);
      expect((await repos.users.getTotpFactor(who.user.id))?.failedAttempts).toBe(1);
      expect((await repos.sessions.getDevice(who.user.id, who.device.id))?.secondFactorFailures).toEqual({
        failedAttempts: 1,
        lockedUntil: null,
      });
    });

    it('answers count_moved for a stale count and challenge_spent for a challenge used up or gone, counting nothing', async () => {
      const who = await enrolled(repos);
      const challenge = aChallenge(who.user, { failedAttempts: limits.maxAttemptsPerChallenge - 1 });
      await repos.sessions.putChallenge(challenge);
      const usedUp = aChallenge(who.user, { failedAttempts: limits.maxAttemptsPerChallenge });
      await repos.sessions.putChallenge(usedUp);

      expect(await count(repos, who, challenge, { failedAttempts: 4, lockedUntil: null })).toBe('count_moved');
      expect(await count(repos, who, challenge, none, { countedOn: { kind: 'device', deviceId: newId('dev') } })).toBe('count_moved');
      expect(await count(repos, who, usedUp, none)).toBe('challenge_spent');
      expect(await count(repos, who, aChallenge(who.user), none)).toBe('challenge_spent');

      expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
      expect(await repos.users.getTotpFactor(who.user.id)).toEqual(who.factor);
    });

    it('with a lockout, records it once (audit_exists) and ends remembering', async () => {
      const who = await enrolled(repos);
      const challenge = aChallenge(who.user);
      await repos.sessions.putChallenge(challenge);
      const lockout = anAudit(who.user.appId, 'two_factor.locked_out', { targetUserId: who.user.id });

      expect(await count(repos, who, challenge, none, { lockout })).toBe('counted');
      await expectConflict(
        count(repos, who, challenge, { failedAttempts: 1, lockedUntil: 4_000_000_000_000 }, { lockout }),
        'audit_exists',
      );

      expect((await repos.users.getUser(who.user.id))?.rememberGeneration).toBe(who.user.rememberGeneration + 1);
      expect((await repos.audit.listAuditEvents(who.user.appId, 1, null)).items).toEqual([lockout]);
      expect((await storedLoginChallenge(repos, challenge))?.failedAttempts).toBe(1);
    });
  });

  describe('completing a login', () => {
    const now = 2_000;
    const expired: FailureCount = { failedAttempts: 3, lockedUntil: 1_000 };
    async function challenged(who: Enrolled, overrides: Partial<Challenge> = {}): Promise<Challenge> {
      const challenge = aChallenge(who.user, overrides);
      await repos.sessions.putChallenge(challenge);
      return challenge;
    }
    const withTotp = (
      who: Enrolled,
      challenge: Challenge,
      step: number,
      options: { device?: DeviceUse; countedOn?: CountedOn; factor?: TotpFactor } = {},
    ) =>
      repos.sessions.completeLoginWithTotp({
        challenge,
        user: who.user,
        factor: options.factor ?? who.factor,
        step,
        session: aSession(who.user, { assurance: 'two_factor' }),
        device: options.device ?? newDevice(aDevice(who.user)),
        countedOn: options.countedOn ?? { kind: 'account' },
        now,
        audits: [],
      });
    const withCode = (who: Enrolled, challenge: Challenge, codeHash: string, options: { device?: DeviceUse; countedOn?: CountedOn } = {}) =>
      repos.sessions.completeLoginWithBackupCode({
        challenge,
        user: who.user,
        setId: who.codes.setId,
        codeHash,
        session: aSession(who.user),
        device: options.device ?? newDevice(aDevice(who.user)),
        countedOn: options.countedOn ?? { kind: 'account' },
        now,
        audits: [],
      });
    const knownDevice = (who: Enrolled): DeviceUse => ({ kind: 'known', device: who.device, clear: ['secondFactorFailures'] });
    const onDevice = (who: Enrolled): CountedOn => ({ kind: 'device', deviceId: who.device.id });

    it('with a code: spends the challenge (one attempt left) and the step, clears the expired count, issues the session, records the audits', async () => {
      const who = await enrolled(repos);
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, expired);
      const challenge = await challenged(who, { failedAttempts: limits.maxAttemptsPerChallenge - 1 });
      const device = aDevice(who.user);
      const session = aSession(who.user, { assurance: 'two_factor', deviceId: device.id });
      const audits = [anAudit(who.user.appId, 'device.remembered'), anAudit(who.user.appId, 'backup_code.used')];

      await repos.sessions.completeLoginWithTotp({
        challenge,
        user: who.user,
        factor: who.factor,
        step: 1001,
        session,
        device: newDevice(device),
        countedOn: { kind: 'account' },
        now,
        audits,
      });

      expect(await storedLoginChallenge(repos, challenge)).toBeNull();
      expect(await repos.sessions.getSession(session.tokenHash)).toEqual(session);
      expect(await repos.sessions.getDevice(who.user.id, device.id)).toEqual(device);
      expect(await repos.users.getTotpFactor(who.user.id)).toEqual({ ...who.factor, lastAcceptedStep: 1001, ...none });
      expect((await repos.audit.listAuditEvents(who.user.appId, 10, null)).items).toEqual(expect.arrayContaining(audits));
    });

    it("with a code counted on the device: clears the device's count, leaves the account's", async () => {
      const who = await enrolled(repos);
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, locked);
      await repos.sessions.moveDeviceFailures(who.user.id, who.device.id, 'secondFactorFailures', none, expired);

      await withTotp(who, await challenged(who), 1001, { device: knownDevice(who), countedOn: onDevice(who) });

      expect((await repos.sessions.getDevice(who.user.id, who.device.id))?.secondFactorFailures).toEqual(none);
      expect(await repos.users.getTotpFactor(who.user.id)).toEqual({ ...who.factor, ...locked, lastAcceptedStep: 1001 });
    });

    it('refuses each lost race with its reason, the first in transaction order, keeping the challenge', async () => {
      const who = await enrolled(repos);
      const challenge = await challenged(who);
      const replaced = { ...who.factor, enabledAt: '2031-01-01T00:00:00.000Z' };

      await expectConflict(
        withTotp(who, await challenged(who, { failedAttempts: limits.maxAttemptsPerChallenge }), 1001),
        'challenge_spent',
      );
      await expectConflict(withTotp(who, aChallenge(who.user), 1000, { factor: replaced }), 'challenge_spent');
      await expectConflict(withTotp(who, challenge, 1000, { factor: replaced }), 'user_changed');
      await expectConflict(withTotp(who, challenge, 1001, { factor: replaced }), 'user_changed');
      await expectConflict(withTotp(who, challenge, 1000), 'step_used');
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, { failedAttempts: 10, lockedUntil: now + 1 });
      await expectConflict(withTotp(who, challenge, 1000), 'step_used');
      await expectConflict(withTotp(who, challenge, 1001), 'count_locked');

      expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
      expect((await repos.users.getTotpFactor(who.user.id))?.lastAcceptedStep).toBe(1000);
      await withTotp(who, challenge, 1001, { device: knownDevice(who), countedOn: onDevice(who) });
      expect(await storedLoginChallenge(repos, challenge)).toBeNull();
    });

    it('refuses a device locked now (count_locked) or forgotten (device_changed), and a factor gone (user_changed)', async () => {
      const who = await enrolled(repos);
      const challenge = await challenged(who);
      await repos.sessions.moveDeviceFailures(who.user.id, who.device.id, 'secondFactorFailures', none, {
        failedAttempts: 10,
        lockedUntil: now + 1,
      });

      await expectConflict(withTotp(who, challenge, 1001, { device: knownDevice(who), countedOn: onDevice(who) }), 'count_locked');
      await expectConflict(
        withCode(who, challenge, who.codes.remainingHashes[0]!, { device: knownDevice(who), countedOn: onDevice(who) }),
        'count_locked',
      );
      await repos.sessions.forgetDevice(who.user, who.device.id, anAudit(who.user.appId));
      await expectConflict(withTotp(who, challenge, 1001, { device: knownDevice(who), countedOn: onDevice(who) }), 'device_changed');
      expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
      await repos.users.resetTwoFactor({ user: who.user, devices: [], audit: anAudit(who.user.appId) });
      // The factor is gone, and the login challenges it held with it.
      await expectConflict(withTotp(who, challenge, 1001), 'user_changed');
      await expectConflict(withCode(who, challenge, who.codes.remainingHashes[0]!), 'user_changed');

      expect(await storedLoginChallenge(repos, challenge)).toBeNull();
    });

    it('lets exactly one of parallel completions of one challenge win, and one of one step', async () => {
      const who = await enrolled(repos);
      const challenge = await challenged(who);
      const others = [await challenged(who), await challenged(who)];

      await expectOneWinner(
        [withTotp(who, challenge, 1001), withTotp(who, challenge, 1002), withTotp(who, challenge, 1003)],
        ['challenge_spent'],
      );
      await expectOneWinner(
        others.map((other) => withTotp(who, other, 2000)),
        ['step_used'],
      );
    });

    it('with a backup code: spends it once; on the account, clears an expired count, refuses one locked now (count_locked)', async () => {
      const who = await enrolled(repos);
      const [code, other, third] = who.codes.remainingHashes;
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, expired);

      await withCode(who, await challenged(who), code!);
      expect(await repos.users.getTotpFactor(who.user.id)).toEqual(who.factor);
      expect((await repos.users.getBackupCodeSet(who.user.id))?.remainingHashes.sort()).toEqual([other!, third!].sort());
      await expectConflict(withCode(who, await challenged(who), code!), 'backup_code_used');
      await repos.users.reserveSecondFactorAttempt(who.user.id, none, { failedAttempts: 10, lockedUntil: now + 1 });
      await expectConflict(withCode(who, await challenged(who), other!), 'count_locked');
      await withCode(who, await challenged(who), other!, { device: knownDevice(who), countedOn: onDevice(who) });

      expect((await repos.users.getBackupCodeSet(who.user.id))?.remainingHashes).toEqual([third]);
    });

    it('lets exactly one of parallel logins with one backup code win', async () => {
      const who = await enrolled(repos);
      const code = who.codes.remainingHashes[0]!;
      const challenges = [await challenged(who), await challenged(who)];

      await expectOneWinner(
        challenges.map((challenge) => withCode(who, challenge, code)),
        ['backup_code_used'],
      );
      expect((await repos.users.getBackupCodeSet(who.user.id))?.remainingHashes).not.toContain(code);
    });

    it('refuses a backup code login whose challenge is gone, or with a code of another set, keeping the code', async () => {
      const who = await enrolled(repos);
      const code = who.codes.remainingHashes[0]!;

      await expectConflict(withCode(who, aChallenge(who.user), code), 'challenge_spent');
      await expectConflict(
        withCode({ ...who, codes: { ...who.codes, setId: 'bcs_other' } }, await challenged(who), code),
        'backup_code_used',
      );
      expect(await rejectionOf(withCode(who, await challenged(who), 'not-a-code'))).toMatchObject({ reason: 'backup_code_used' });
      expect((await repos.users.getBackupCodeSet(who.user.id))?.remainingHashes).toContain(code);
    });
  });
});

describe('the DynamoDB store, holding login challenges in the factor', () => {
  let repos: Repositories;
  beforeAll(() => {
    repos = stores.find((store) => store.name === 'DynamoDB')!.repositories();
  });
  /** A right password's login, its email's count clear: reads where its challenge goes, then puts it there. */
  async function loginPuts(user: User, challenge: Challenge): Promise<void> {
    const { challengeRoom: room } = await repos.users.readUserWithDevice(user.id, null);
    await repos.sessions.completePasswordStep({
      user,
      countedOn: { kind: 'account' },
      now: Date.now(),
      start: { challenge, room, seen: none },
    });
  }

  it('keeps them bounded: a login drops the expired ones and, beyond 64 live, the oldest', async () => {
    const who = await enrolled(repos);
    const { user } = who;
    const expired = aChallenge(user, { expiresAt: 1 });
    await repos.sessions.putChallenge(expired);
    const firstExpiry = Math.floor(Date.now() / 1000) + 300;
    const issued: Challenge[] = [];
    for (let index = 0; index < 65; index++) {
      const challenge = aChallenge(user, { expiresAt: firstExpiry + index });
      await loginPuts(user, challenge);
      issued.push(challenge);
    }

    expect(await storedLoginChallenge(repos, expired)).toBeNull();
    expect(await storedLoginChallenge(repos, issued[0]!)).toBeNull();
    for (const challenge of issued.slice(1)) expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
    expect((await repos.users.readUserWithDevice(user.id, null)).challengeRoom?.slots).toHaveLength(64);
  });

  it('lets a login in when parallel bursts filled the factor to its limit, making room as it writes', async () => {
    const { user } = await enrolled(repos);
    const firstExpiry = Math.floor(Date.now() / 1000) + 300;
    for (let index = 0; index < 100; index++) await repos.sessions.putChallenge(aChallenge(user, { expiresAt: firstExpiry + index }));
    const challenge = aChallenge(user, { expiresAt: firstExpiry + 200 });

    await loginPuts(user, challenge);

    expect(await storedLoginChallenge(repos, challenge)).toEqual(challenge);
    expect((await repos.users.readUserWithDevice(user.id, null)).challengeRoom?.slots).toHaveLength(64);
  });
});
