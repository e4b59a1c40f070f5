import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Challenge, FailureCount, User } from '../../functions/core/model.js';
import type { Repositories } from '../../functions/core/ports.js';
import { newId } from '../../functions/core/tokens.js';
import {
  aBackupCodeSet,
  aChallenge,
  aDevice,
  aFactor,
  anAudit,
  aPending,
  aSession,
  aUser,
  enrolled,
  hash,
  newDevice,
  signedUp,
} from '../support/store-contract/fixtures.js';
import { closeStores, expectConflict, expectOneWinner, limits, stores } from '../support/store-contract/stores.js';

/**
 * The store contract, part 2: a user's second factor (pending enrollments and their claimed steps,
 * confirmation, backup codes, the account's attempt count, replacing codes, disabling, resetting), against
 * the in-memory store and the DynamoDB one alike.
 */

afterAll(closeStores);

const none: FailureCount = { failedAttempts: 0, lockedUntil: null };
const sorted = (hashes: readonly string[]) => [...hashes].sort();

describe.each(stores)('the $name store', ({ repositories }) => {
  let repos: Repositories;
  beforeAll(() => {
    repos = repositories();
  });

  describe('pending enrollments', () => {
    it('keeps a pending enrollment until the next one replaces it', async () => {
      const { user } = await signedUp(repos);
      const [first, second] = [aPending(user), aPending(user)];

      await repos.users.putPendingEnrollment(first);
      expect(await repos.users.getPendingEnrollment(user.id)).toEqual(first);
      await repos.users.putPendingEnrollment(second);
      expect(await repos.users.getPendingEnrollment(user.id)).toEqual(second);
    });

    it('counts wrong codes up to the limit it is given, then answers that limit', async () => {
      const { user } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);

      expect(await repos.users.recordEnrollmentFailure(user.id, pending.enrollmentId, 2)).toBe(1);
      expect(await repos.users.recordEnrollmentFailure(user.id, pending.enrollmentId, 2)).toBe(2);
      expect(await repos.users.recordEnrollmentFailure(user.id, pending.enrollmentId, 2)).toBe(2);
      expect(await repos.users.recordEnrollmentFailure(user.id, 'enr_other', 7)).toBe(7);
      expect(await repos.users.recordEnrollmentFailure(nobody(), pending.enrollmentId, 7)).toBe(7);
      expect((await repos.users.getPendingEnrollment(user.id))?.failedAttempts).toBe(2);
    });

    it('claims a time step once and only forward', async () => {
      const { user } = await signedUp(repos);
      const { enrollmentId } = aPending(user);
      await repos.users.putPendingEnrollment({ ...aPending(user), enrollmentId, failedAttempts: limits.maxAttemptsPerChallenge - 1 });

      expect(await repos.users.claimEnrollmentStep(user.id, enrollmentId, 10)).toBe('claimed');
      expect(await repos.users.claimEnrollmentStep(user.id, enrollmentId, 10)).toBe('step_used');
      expect(await repos.users.claimEnrollmentStep(user.id, enrollmentId, 9)).toBe('step_used');
      expect(await repos.users.claimEnrollmentStep(user.id, enrollmentId, 11)).toBe('claimed');
    });

    it('answers enrollment_gone for another enrollment, one used up at the store limit, or none', async () => {
      const { user } = await signedUp(repos);
      const usedUp = aPending(user, { failedAttempts: limits.maxAttemptsPerChallenge });
      await repos.users.putPendingEnrollment(usedUp);

      expect(await repos.users.claimEnrollmentStep(user.id, 'enr_other', 10)).toBe('enrollment_gone');
      expect(await repos.users.claimEnrollmentStep(user.id, usedUp.enrollmentId, 10)).toBe('enrollment_gone');
      expect(await repos.users.claimEnrollmentStep(nobody(), usedUp.enrollmentId, 10)).toBe('enrollment_gone');
    });

    it('gives back the claimed step only, and a new pending enrollment claims afresh', async () => {
      const { user } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);
      await repos.users.claimEnrollmentStep(user.id, pending.enrollmentId, 10);

      await repos.users.releaseEnrollmentStep(user.id, pending.enrollmentId, 9);
      await repos.users.releaseEnrollmentStep(user.id, 'enr_other', 10);
      expect(await repos.users.claimEnrollmentStep(user.id, pending.enrollmentId, 10)).toBe('step_used');
      await repos.users.releaseEnrollmentStep(user.id, pending.enrollmentId, 10);
      expect(await repos.users.claimEnrollmentStep(user.id, pending.enrollmentId, 10)).toBe('claimed');

      const next = aPending(user);
      await repos.users.putPendingEnrollment(next);
      expect(await repos.users.claimEnrollmentStep(user.id, next.enrollmentId, 10)).toBe('claimed');
      await repos.users.releaseEnrollmentStep(nobody(), next.enrollmentId, 10);
    });
  });

  describe('confirming an enrollment', () => {
    it('with the current session: writes the factor (unlocked) and codes, enables the user, moves the session on', async () => {
      const { user, session } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);
      const factor = aFactor(user, { failedAttempts: 0, lockedUntil: 4_000_000_000_000 });
      const codes = aBackupCodeSet(user);
      const audit = anAudit(user.appId, 'two_factor.enrolled', { targetUserId: user.id });

      await repos.users.confirmEnrollment({
        user,
        pending,
        factor,
        backupCodes: codes,
        audit,
        start: { current: { session, secondFactorAt: 42 } },
      });

      expect(await repos.users.getTotpFactor(user.id)).toEqual({ ...factor, lockedUntil: null });
      const stored = await repos.users.getBackupCodeSet(user.id);
      expect({ ...stored, remainingHashes: sorted(stored!.remainingHashes) }).toEqual({
        ...codes,
        remainingHashes: sorted(codes.remainingHashes),
      });
      expect(await repos.users.getPendingEnrollment(user.id)).toBeNull();
      expect(await repos.users.getUser(user.id)).toEqual({
        ...user,
        twoFactorEnabled: true,
        twoFactorEnabledAt: factor.enabledAt,
        generation: 1,
      });
      expect(await repos.sessions.getSession(session.tokenHash)).toEqual({ ...session, generation: 1, secondFactorAt: 42 });
      expect((await repos.audit.listAuditEvents(user.appId, 5, null)).items).toContainEqual(audit);
    });

    it('with an enrollment challenge: spends it (one attempt left) and issues a session to a new device', async () => {
      const { user } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);
      const challenge = aChallenge(user, { purpose: 'enrollment', failedAttempts: limits.maxAttemptsPerChallenge - 1 });
      await repos.sessions.putChallenge(challenge);
      const device = aDevice(user);
      const session = aSession(user, { generation: 1, assurance: 'two_factor', deviceId: device.id });

      await repos.users.confirmEnrollment({
        user,
        pending,
        factor: aFactor(user),
        backupCodes: aBackupCodeSet(user),
        audit: anAudit(user.appId, 'two_factor.enrolled'),
        start: { challenge, session, device: newDevice(device) },
      });

      expect(await repos.sessions.getChallenge(challenge.tokenHash)).toBeNull();
      expect(await repos.sessions.getSession(session.tokenHash)).toEqual(session);
      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual(device);
    });

    it('refuses each lost race with its reason, the first in transaction order, and writes nothing', async () => {
      const { user, session } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);
      const staleSession = aSession(user, { generation: 7 });
      await repos.sessions.issueSession(staleSession, newDevice(aDevice(user)));
      const overused = aChallenge(user, { purpose: 'enrollment', failedAttempts: limits.maxAttemptsPerChallenge });
      await repos.sessions.putChallenge(overused);
      const live = aChallenge(user, { purpose: 'enrollment' });
      await repos.sessions.putChallenge(live);
      const viaChallenge = (challenge: Challenge) => ({ challenge, session: aSession(user), device: newDevice(aDevice(user)) });
      const confirm = (
        start: Parameters<Repositories['users']['confirmEnrollment']>[0]['start'],
        changes: { user?: User; enrollmentId?: string } = {},
      ) =>
        repos.users.confirmEnrollment({
          user: changes.user ?? user,
          pending: { ...pending, enrollmentId: changes.enrollmentId ?? pending.enrollmentId },
          factor: aFactor(user),
          backupCodes: aBackupCodeSet(user),
          audit: anAudit(user.appId),
          start,
        });

      await expectConflict(confirm(viaChallenge(overused)), 'challenge_spent');
      await expectConflict(confirm(viaChallenge(aChallenge(user)), { enrollmentId: 'enr_other' }), 'challenge_spent');
      await expectConflict(
        confirm({ current: { session } }, { enrollmentId: 'enr_other', user: { ...user, generation: 3 } }),
        'enrollment_gone',
      );
      await expectConflict(confirm(viaChallenge(live), { user: { ...user, generation: 3 } }), 'user_changed');
      await expectConflict(confirm({ current: { session: staleSession } }), 'user_changed');

      expect(await repos.users.getTotpFactor(user.id)).toBeNull();
      expect(await repos.users.getPendingEnrollment(user.id)).toEqual(pending);
      expect(await repos.users.getUser(user.id)).toEqual(user);
      expect(await repos.sessions.getChallenge(overused.tokenHash)).toEqual(overused);
      expect(await repos.sessions.getChallenge(live.tokenHash)).toEqual(live);
    });

    it('refuses a user already enabled in its generation (user_changed), even without a factor', async () => {
      const user = aUser(newId('app'), { twoFactorEnabled: true });
      const challenge = aChallenge(user, { purpose: 'enrollment' });
      await repos.users.createUser(user, { challenge });
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);

      await expectConflict(
        repos.users.confirmEnrollment({
          user,
          pending,
          factor: aFactor(user),
          backupCodes: aBackupCodeSet(user),
          audit: anAudit(user.appId),
          start: { challenge, session: aSession(user), device: newDevice(aDevice(user)) },
        }),
        'user_changed',
      );
    });

    it('refuses a known device forgotten meanwhile (device_changed) and keeps the challenge', async () => {
      const { user, device } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);
      const challenge = aChallenge(user, { purpose: 'enrollment' });
      await repos.sessions.putChallenge(challenge);
      await repos.sessions.forgetDevice(user, device.id, anAudit(user.appId, 'device.forgotten'));

      await expectConflict(
        repos.users.confirmEnrollment({
          user,
          pending,
          factor: aFactor(user),
          backupCodes: aBackupCodeSet(user),
          audit: anAudit(user.appId),
          start: { challenge, session: aSession(user), device: { kind: 'known', device, clear: [] } },
        }),
        'device_changed',
      );
      expect(await repos.sessions.getChallenge(challenge.tokenHash)).toEqual(challenge);
    });

    it('refuses a second factor (already_enabled) before anything else', async () => {
      const { user, session } = await enrolled(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);

      await expectConflict(
        repos.users.confirmEnrollment({
          user: { ...user, generation: 0 },
          pending: { ...pending, enrollmentId: 'enr_other' },
          factor: aFactor(user),
          backupCodes: aBackupCodeSet(user),
          audit: anAudit(user.appId),
          start: { current: { session } },
        }),
        'already_enabled',
      );
    });

    it('lets exactly one of two parallel confirmations of one pending enrollment win', async () => {
      const { user, session } = await signedUp(repos);
      const pending = aPending(user);
      await repos.users.putPendingEnrollment(pending);
      const factors = [aFactor(user), aFactor(user)];

      const winner = await expectOneWinner(
        factors.map((factor) =>
          repos.users.confirmEnrollment({
            user,
            pending,
            factor,
            backupCodes: aBackupCodeSet(user),
            audit: anAudit(user.appId),
            start: { current: { session } },
          }),
        ),
        ['already_enabled'],
      );

      expect((await repos.users.getTotpFactor(user.id))?.secret).toEqual(factors[winner]!.secret);
    });
  });

  describe('backup codes and the account attempt count', () => {
    it('keeps each code hash once, and has no set for a user without one', async () => {
      const { user, session } = await enrolled(repos);
      const [a, b] = [hash(), hash()];
      const set = { ...aBackupCodeSet(user), remainingHashes: [a, b, a] };

      await repos.users.replaceBackupCodes({
        user,
        step: 1001,
        backupCodes: set,
        audit: anAudit(user.appId),
        current: { session },
        countedOn: { kind: 'account' },
      });

      expect(sorted((await repos.users.getBackupCodeSet(user.id))!.remainingHashes)).toEqual(sorted([a, b]));
      expect(await repos.users.getBackupCodeSet(nobody())).toBeNull();
    });

    it('moves the account count only from what the caller saw, and takes a reservation back', async () => {
      const { user, factor } = await enrolled(repos);
      const locked = { failedAttempts: 10, lockedUntil: 4_000_000_000_000 };

      expect(await repos.users.reserveSecondFactorAttempt(user.id, { failedAttempts: 1, lockedUntil: null }, locked)).toBe(false);
      expect(await repos.users.reserveSecondFactorAttempt(user.id, none, locked)).toBe(true);
      expect(await repos.users.reserveSecondFactorAttempt(user.id, none, locked)).toBe(false);
      expect(await repos.users.reserveSecondFactorAttempt(user.id, { failedAttempts: 10, lockedUntil: null }, none)).toBe(false);
      expect(await repos.users.getTotpFactor(user.id)).toEqual({ ...factor, ...locked });
      expect(await repos.users.reserveSecondFactorAttempt(user.id, locked, none)).toBe(true);
      expect(await repos.users.getTotpFactor(user.id)).toEqual(factor);
      expect(await repos.users.reserveSecondFactorAttempt(nobody(), none, locked)).toBe(false);
    });
  });

  describe('replacing backup codes', () => {
    it('spends the step, replaces the set, ends remembering and every other session', async () => {
      const { user, session, factor } = await enrolled(repos);
      await repos.users.reserveSecondFactorAttempt(user.id, none, { failedAttempts: 2, lockedUntil: null });
      const codes = aBackupCodeSet(user);

      await repos.users.replaceBackupCodes({
        user,
        step: 1001,
        backupCodes: codes,
        audit: anAudit(user.appId),
        current: { session, secondFactorAt: 7 },
        countedOn: { kind: 'account' },
      });

      expect((await repos.users.getBackupCodeSet(user.id))?.setId).toBe(codes.setId);
      expect(await repos.users.getUser(user.id)).toEqual({
        ...user,
        generation: user.generation + 1,
        rememberGeneration: user.rememberGeneration + 1,
      });
      expect(await repos.users.getTotpFactor(user.id)).toEqual({ ...factor, lastAcceptedStep: 1001, ...none });
      expect(await repos.sessions.getSession(session.tokenHash)).toEqual({
        ...session,
        generation: user.generation + 1,
        secondFactorAt: 7,
      });
    });

    it("leaves the account's count alone when the step was counted on a device", async () => {
      const { user, session, device } = await enrolled(repos);
      await repos.users.reserveSecondFactorAttempt(user.id, none, { failedAttempts: 2, lockedUntil: null });

      await repos.users.replaceBackupCodes({
        user,
        step: 1001,
        backupCodes: aBackupCodeSet(user),
        audit: anAudit(user.appId),
        current: { session },
        countedOn: { kind: 'device', deviceId: device.id },
      });

      expect((await repos.users.getTotpFactor(user.id))?.failedAttempts).toBe(2);
      expect((await repos.sessions.getSession(session.tokenHash))?.secondFactorAt).toBe(session.secondFactorAt);
    });

    it('refuses a step not newer than the last (step_used), a user not enrolled in that generation (not_enrolled), a stale session (user_changed)', async () => {
      const { user, session, codes } = await enrolled(repos);
      const { user: plain, session: plainSession } = await signedUp(repos);
      const stale = aSession(user, { generation: 0 });
      await repos.sessions.issueSession(stale, newDevice(aDevice(user)));
      const replace = (step: number, who = user, current = session) =>
        repos.users.replaceBackupCodes({
          user: who,
          step,
          backupCodes: aBackupCodeSet(who),
          audit: anAudit(who.appId),
          current: { session: current },
          countedOn: { kind: 'account' },
        });

      await expectConflict(replace(1000), 'step_used');
      await expectConflict(replace(999, { ...user, generation: 0 }), 'not_enrolled');
      await expectConflict(replace(1001, plain, plainSession), 'not_enrolled');
      await expectConflict(replace(1001, user, stale), 'user_changed');
      expect((await repos.users.getBackupCodeSet(user.id))?.setId).toBe(codes.setId);
    });
  });

  describe('disabling two-factor', () => {
    it('spends the step, removes the factor and codes, ends remembering and every other session', async () => {
      const { user, session } = await enrolled(repos);

      await repos.users.disableTwoFactor({ user, step: 1001, audit: anAudit(user.appId, 'two_factor.disabled'), current: { session } });

      expect(await repos.users.getTotpFactor(user.id)).toBeNull();
      expect(await repos.users.getBackupCodeSet(user.id)).toBeNull();
      expect(await repos.users.getUser(user.id)).toEqual({
        ...user,
        twoFactorEnabled: false,
        twoFactorEnabledAt: null,
        generation: user.generation + 1,
        rememberGeneration: user.rememberGeneration + 1,
      });
      expect((await repos.sessions.getSession(session.tokenHash))?.generation).toBe(user.generation + 1);
    });

    it('refuses a used step (step_used) or a user not enrolled (not_enrolled), keeping the factor', async () => {
      const { user, session, factor } = await enrolled(repos);
      const { user: plain, session: plainSession } = await signedUp(repos);

      await expectConflict(
        repos.users.disableTwoFactor({ user, step: 1000, audit: anAudit(user.appId), current: { session } }),
        'step_used',
      );
      await expectConflict(
        repos.users.disableTwoFactor({ user: plain, step: 1, audit: anAudit(user.appId), current: { session: plainSession } }),
        'not_enrolled',
      );
      expect(await repos.users.getTotpFactor(user.id)).toEqual(factor);
    });
  });

  describe('resetting two-factor', () => {
    it('clears the factor, codes, pending enrollment and lockouts, and answers the updated user', async () => {
      const { user, device } = await enrolled(repos);
      const locked = { failedAttempts: 10, lockedUntil: 4_000_000_000_000 };
      await repos.users.putPendingEnrollment(aPending(user));
      await repos.users.movePasswordFailures(user.appId, user.email, none, locked, 2_000_000_000);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'secondFactorFailures', none, locked);

      const updated = await repos.users.resetTwoFactor({ user, devices: [device], audit: anAudit(user.appId, 'two_factor.reset') });

      const expected = {
        ...user,
        twoFactorEnabled: false,
        twoFactorEnabledAt: null,
        generation: user.generation + 1,
        rememberGeneration: user.rememberGeneration + 1,
      };
      expect(updated).toEqual(expected);
      expect(await repos.users.getUser(user.id)).toEqual(expected);
      expect(await repos.users.getTotpFactor(user.id)).toBeNull();
      expect(await repos.users.getBackupCodeSet(user.id)).toBeNull();
      expect(await repos.users.getPendingEnrollment(user.id)).toBeNull();
      expect(await repos.users.getPasswordFailures(user.appId, user.email)).toBeNull();
      expect((await repos.sessions.getDevice(user.id, device.id))?.secondFactorFailures).toEqual(none);
    });

    it('refuses a user gone (user_gone) or a device forgotten meanwhile (device_changed), changing nothing', async () => {
      const { user, device, factor } = await enrolled(repos);
      await repos.sessions.forgetDevice(user, device.id, anAudit(user.appId));

      await expectConflict(
        repos.users.resetTwoFactor({ user: { ...user, id: nobody() }, devices: [], audit: anAudit(user.appId) }),
        'user_gone',
      );
      await expectConflict(repos.users.resetTwoFactor({ user, devices: [device], audit: anAudit(user.appId) }), 'device_changed');
      expect(await repos.users.getTotpFactor(user.id)).toEqual(factor);
      expect(await repos.users.getUser(user.id)).toEqual(user);
    });
  });
});

/** A user id nobody has. */
const nobody = (): string => newId('usr');
