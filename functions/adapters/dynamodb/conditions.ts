import type { FailureCount, Plan, SettingsValues } from '../../core/model.js';
import type { Expression } from './table.js';

/**
 * The named conditions of the table's writes, each closing a race. Nothing here is read-then-write: the
 * condition is checked by DynamoDB atomically with the write.
 */
export const conditions = {
  /** First writer wins: an email claim, an app id, a config version, a confirmed factor, a device. */
  isNew: { text: 'attribute_not_exists(pk)' },
  exists: { text: 'attribute_exists(pk)' },
  /**
   * RFC 6238 §5.2: a time step is accepted only when newer than every step already accepted, so two
   * requests carrying one code (or an older code after a newer one) cannot both pass.
   */
  stepIsNew: (step: number): Expression => ({ text: 'attribute_exists(pk) AND lastAcceptedStep < :step', values: { ':step': step } }),
  /**
   * A challenge is spent by deleting it; only a request that finds it alive, with attempts left, may (a code
   * is judged before anything is written, so the one that spends it has not been counted).
   */
  challengeLive: (maxAttempts: number): Expression => ({
    text: 'attribute_exists(pk) AND failedAttempts < :maxAttempts',
    values: { ':maxAttempts': maxAttempts },
  }),
  /** The factor a code was judged against: a reset (deleting it) or a new enrollment (replacing it) must win. */
  factorIs: (enabledAt: string): Expression => ({
    text: 'attribute_exists(pk) AND enabledAt = :enabledAt',
    values: { ':enabledAt': enabledAt },
  }),
  /** A 2FA reset bumps the generation; a verify that read the user before the reset must not win. */
  sameGeneration: (generation: number): Expression => ({
    text: 'attribute_exists(pk) AND generation = :generation',
    values: { ':generation': generation },
  }),
  enrolledInGeneration: (generation: number): Expression => ({
    text: 'attribute_exists(pk) AND generation = :generation AND twoFactorEnabled = :true',
    values: { ':generation': generation, ':true': true },
  }),
  notEnrolledInGeneration: (generation: number): Expression => ({
    text: 'attribute_exists(pk) AND generation = :generation AND twoFactorEnabled = :false',
    values: { ':generation': generation, ':false': false },
  }),
  /** The user's 2FA is on (or off) as read: a reset moves the enrollment counters only by what it changes. */
  twoFactorIs: (enabled: boolean): Expression => ({
    text: 'attribute_exists(pk) AND twoFactorEnabled = :enabledAsRead',
    values: { ':enabledAsRead': enabled },
  }),
  /** A backup code is spent by removing its hash from the set it belongs to; only one request can. */
  backupCodeUnused: (setId: string, codeHash: string): Expression => ({
    text: 'attribute_exists(#codes.#code) AND setId = :setId',
    names: { '#codes': 'codes', '#code': codeHash },
    values: { ':setId': setId },
  }),
  /** Confirm only the pending secret the code was checked against, not one a newer start replaced. */
  pendingMatches: (enrollmentId: string, maxAttempts: number): Expression => ({
    text: 'attribute_exists(pk) AND enrollmentId = :enrollmentId AND failedAttempts < :maxAttempts',
    values: { ':enrollmentId': enrollmentId, ':maxAttempts': maxAttempts },
  }),
  /**
   * Of parallel confirmations with one code, only the first to claim its time step hashes backup codes and
   * commits; the step can only move forward, as a factor's accepted step does.
   */
  enrollmentStepIsNew: (enrollmentId: string, maxAttempts: number, step: number): Expression => ({
    text: 'attribute_exists(pk) AND enrollmentId = :enrollmentId AND failedAttempts < :maxAttempts AND (attribute_not_exists(claimedStep) OR claimedStep < :step)',
    values: { ':enrollmentId': enrollmentId, ':maxAttempts': maxAttempts, ':step': step },
  }),
  enrollmentStepClaimed: (enrollmentId: string, step: number): Expression => ({
    text: 'enrollmentId = :enrollmentId AND claimedStep = :step',
    values: { ':enrollmentId': enrollmentId, ':step': step },
  }),
  /**
   * Publishing takes the next version only if nobody else took it, so concurrent publishes never overwrite;
   * plan changes check the version too, so a publish and a downgrade are always ordered. 0: none yet.
   */
  publishedVersionIs: (version: number): Expression =>
    version === 0
      ? { text: 'attribute_exists(pk) AND attribute_not_exists(publishedVersion)' }
      : { text: 'attribute_exists(pk) AND publishedVersion = :previousVersion', values: { ':previousVersion': version } },
  /** A draft edit or publish checked the mode against this plan; a concurrent plan change must win. */
  planIs: (plan: Plan): Expression => ({ text: '#plan = :seenPlan', names: { '#plan': 'plan' }, values: { ':seenPlan': plan } }),
  /**
   * A plan change lowered (or kept) the draft it read; an edit in between must make it read again. Drafts
   * written before an attribute existed lack it: absent means 0 days, no roles.
   */
  draftIs: (draft: SettingsValues): Expression => {
    const orAbsent = (attribute: string, placeholder: string, absentMeansIt: boolean) =>
      absentMeansIt ? `(attribute_not_exists(${attribute}) OR ${attribute} = ${placeholder})` : `${attribute} = ${placeholder}`;
    return {
      text: [
        '#mode = :seenMode',
        orAbsent('rememberDeviceDays', ':seenDays', draft.rememberDeviceDays === 0),
        orAbsent('requiredGraceDays', ':seenGrace', draft.requiredGraceDays === 0),
        orAbsent('requiredForRoles', ':seenRoles', draft.requiredForRoles.length === 0),
      ].join(' AND '),
      names: { '#mode': 'mode' },
      values: {
        ':seenMode': draft.mode,
        ':seenDays': draft.rememberDeviceDays,
        ':seenGrace': draft.requiredGraceDays,
        ':seenRoles': draft.requiredForRoles,
      },
    };
  },
  /**
   * A known device is used (a session issued to it, its token rotated, it remembered) only while it still
   * exists with the generation it was read with: forgetting it wins over a login in flight. ("Sign out
   * everywhere" moves the user's generations instead: such a login's session is dead on arrival, and the
   * device is no longer live for the next one.)
   */
  deviceLive: (deviceGeneration: number): Expression => ({
    text: 'attribute_exists(pk) AND generation = :deviceGeneration',
    values: { ':deviceGeneration': deviceGeneration },
  }),
  /**
   * A second factor proven while its count is locked must not commit: the lock went in after the code was
   * read (parallel guesses), and the code is one guess too many.
   */
  notLocked: (lockAttribute: string, now: number): Expression => ({
    text: `(attribute_not_exists(#lock) OR #lock <= :now)`,
    names: { '#lock': lockAttribute },
    values: { ':now': now },
  }),
  /**
   * Reserving an attempt (a second-factor code, a password) moves the failure count from the value the
   * request read; when two requests race, only one moves it, so every checked secret is counted and the
   * lockout cannot be outrun. A count never written (or written by older code without one) reads as 0.
   */
  countIs: (attributes: { failedAttempts: string; lockedUntil: string }, seen: FailureCount, mustExist: boolean): Expression => {
    const failures =
      seen.failedAttempts === 0
        ? '(attribute_not_exists(#failedAttempts) OR #failedAttempts = :seenFailures)'
        : '#failedAttempts = :seenFailures';
    const lock = seen.lockedUntil === null ? 'attribute_not_exists(#lockedUntil)' : '#lockedUntil = :seenLock';
    return {
      text: `${mustExist ? 'attribute_exists(pk) AND ' : ''}${failures} AND ${lock}`,
      names: { '#failedAttempts': attributes.failedAttempts, '#lockedUntil': attributes.lockedUntil },
      values: { ':seenFailures': seen.failedAttempts, ...(seen.lockedUntil === null ? {} : { ':seenLock': seen.lockedUntil }) },
    };
  },
};
