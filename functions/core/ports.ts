import type {
  App,
  AppRuntime,
  AuditEvent,
  BackupCodeSet,
  Challenge,
  ChallengeRoom,
  Clock,
  Device,
  DraftSettings,
  FailureCount,
  PendingEnrollment,
  Plan,
  PublishedConfig,
  SealedSecret,
  Session,
  TotpFactor,
  User,
  UserSummary,
} from './model.js';
import type { SecurityEvent } from './security-events.js';
import type { EnrollmentCounts, UsersFilter } from './repository-inputs.js';

export type { EnrollmentCounts, EnrollmentDelta, RoleEnrollmentCounts, UsersFilter } from './repository-inputs.js';
import type {
  CreateAppInput,
  ChangePlanInput,
  ConfirmEnrollmentInput,
  ReplaceBackupCodesInput,
  DisableTwoFactorInput,
  ResetTwoFactorInput,
  CountPasswordFailureInput,
  StepUpInput,
  CompletePasswordStepInput,
  ReadLoginAttemptInput,
  CountLoginFailureInput,
  CompleteLoginWithTotpInput,
  CompleteLoginWithBackupCodeInput,
} from './repository-inputs.js';

/** A page of a listing; `nextCursor` is opaque to everyone but the store that made it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Which failure count of a device a counted attempt moves. */
export type DeviceCount = 'passwordFailures' | 'secondFactorFailures';

/**
 * The device a session is issued to: a new one to register, or a known one whose use is recorded (its
 * token, last use and remembering as `device` has them now, and the counts a success clears). A known
 * device that was forgotten meanwhile (or the user signed out everywhere) fails the write with
 * `device_changed`.
 */
export type DeviceUse = { kind: 'new'; device: Device } | { kind: 'known'; device: Device; clear: DeviceCount[] };

/** Where the failures of an attempt are counted: the account (unknown clients) or one known device. */
export type CountedOn = { kind: 'account' } | { kind: 'device'; deviceId: string };

/** The current session of a change that ends every other session: it goes on under the new generation. */
export interface CurrentSession {
  session: Session;
  /** Set when the change proved a second factor (an enrollment confirmed by this session). */
  secondFactorAt?: number;
}

/*
 * The repositories: everything the use cases persist, one per aggregate. Each method that spends a
 * single-use thing (a time step, a backup code, a challenge, an email, a config version) does it with one
 * conditional write or transaction and raises `ConditionFailedError` with a reason when the race was lost.
 * They hold no policy and no clock: limits come from core (`StoreLimits`, given at construction),
 * times and expiries from the caller.
 */

/** The limits a store's conditions enforce, handed to it by the composition root from core's policy. */
export interface StoreLimits {
  /** Wrong codes one login challenge or one pending enrollment survives. */
  maxAttemptsPerChallenge: number;
}

/** Apps, their draft settings, published config versions and data keys. */
export interface AppRepository {
  getAppRuntime(appId: string): Promise<AppRuntime | null>;
  getDraftSettings(appId: string): Promise<DraftSettings | null>;
  /** Fails with reason `app_exists` or `email_taken`. */
  createApp(input: CreateAppInput): Promise<void>;
  /** Fails with reason `plan_changed` when the app's plan is no longer `plan` (a plan change raced the edit). */
  putDraftSettings(appId: string, plan: Plan, draft: DraftSettings, audit: AuditEvent): Promise<void>;
  /**
   * Fails with reason `version_conflict` when another publish took `config.version` first, the plan is no
   * longer `plan`, or concurrent writes to the app keep colliding with it: the caller re-reads and retries.
   */
  publishConfig(appId: string, plan: Plan, config: PublishedConfig, audit: AuditEvent): Promise<void>;
  /**
   * Changes the plan, lowering the draft and (by publishing `publish`) the live mode when needed. Fails with
   * `plan_race` when the published version or the draft mode is no longer what `seen` says.
   */
  changePlan(input: ChangePlanInput): Promise<void>;
  /** The apps whose published config has enrollment deadlines (listed and unlisted by publishes). */
  listAppsWithDeadlines(): Promise<string[]>;
  /** Replaces the app's allowed origins; fails with `app_gone` when the app does not exist. */
  setAllowedOrigins(appId: string, allowedOrigins: string[], audit: AuditEvent): Promise<void>;
  getWrappedDataKey(appId: string, keyId: string): Promise<string | null>;
}

/**
 * Users and their factors: profiles, email claims, password failure counts, the TOTP factor, pending
 * enrollments and backup codes, and the changes that end a user's other sessions with them.
 */
export interface UserRepository {
  /** Creates the user, its email claim and its first session (and device) or challenge at once; fails with `email_taken`. */
  createUser(user: User, start: { session: Session; device: Device } | { challenge: Challenge }): Promise<void>;
  findUserByEmail(appId: string, email: string): Promise<User | null>;
  getUser(userId: string): Promise<User | null>;
  /** `invalid_cursor` (ValidationError) on a cursor not its own; a `filter`ed page may be short yet have a cursor. */
  listUsers(appId: string, limit: number, cursor: string | null, filter?: UsersFilter): Promise<Page<UserSummary>>;
  /** The profiles of several users (at most 100), in no particular order; unknown ids are left out. */
  getUsers(userIds: readonly string[]): Promise<User[]>;
  /** Every role's enrollment counters: totals and sign-up days from `fromDay` (moved by the writes they count). */
  getEnrollmentCounts(appId: string, fromDay: string): Promise<EnrollmentCounts>;
  /** Records a deadline reminder's audit entry once per user, deadline and `daysLeft` (false: already). */
  recordDeadlineReminder(userId: string, reminder: { enrollBy: string; daysLeft: number }, audit: AuditEvent): Promise<boolean>;
  getTotpFactor(userId: string): Promise<TotpFactor | null>;
  getPendingEnrollment(userId: string): Promise<PendingEnrollment | null>;
  putPendingEnrollment(pending: PendingEnrollment): Promise<void>;
  /** Counts a wrong confirmation code; from `maxAttempts` on, the pending secret is refused. Returns the count. */
  recordEnrollmentFailure(userId: string, enrollmentId: string, maxAttempts: number): Promise<number>;
  /**
   * Claims the time step of a correct confirmation code before the backup codes are hashed, so of parallel
   * confirmations with one code only one does that work. `step_used`: this step (or a later one) was
   * claimed first; `enrollment_gone`: the pending enrollment was confirmed, replaced or discarded meanwhile.
   */
  claimEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<'claimed' | 'step_used' | 'enrollment_gone'>;
  /** Gives back a claimed step whose confirmation failed before it was committed. */
  releaseEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<void>;
  getBackupCodeSet(userId: string): Promise<BackupCodeSet | null>;
  /**
   * Reserves one second-factor attempt against the account before the code is checked: moves the factor's
   * failure count and lock from `seen` to `next` (the lock `next` carries is the one this attempt earns if
   * it fails). Returns false when another request moved them first. Called with `seen` and `next`
   * swapped, it gives back a reservation whose code was never judged.
   */
  reserveSecondFactorAttempt(userId: string, seen: FailureCount, next: FailureCount): Promise<boolean>;
  /**
   * Turns a pending enrollment into a factor with its backup codes, all or nothing, and ends every other
   * session of the user (a new generation). With `challenge`, also spends that enrollment challenge and
   * issues `session` to `device`; with `current`, that session goes on. Reasons: `already_enabled`,
   * `enrollment_gone`, `user_changed`, `challenge_spent`, `device_changed`.
   */
  confirmEnrollment(input: ConfirmEnrollmentInput): Promise<void>;
  /**
   * Spends `step`, replaces the backup code set, ends remembering and every other session. Reasons:
   * `step_used`, `not_enrolled`.
   */
  replaceBackupCodes(input: ReplaceBackupCodesInput): Promise<void>;
  /** Spends `step`, removes the factor and its codes, ends remembering and every other session. Reasons: `step_used`, `not_enrolled`. */
  disableTwoFactor(input: DisableTwoFactorInput): Promise<void>;
  /**
   * Removes the factor, codes and pending enrollment, kills every session and challenge of the user, ends
   * remembering and the user's lockouts (the email's count and each of `devices`'). Reasons: `user_gone`,
   * `user_changed` (the user's 2FA went on or off since `user` was read: the counters must move by what
   * the reset really changes, so the caller reads again).
   */
  resetTwoFactor(input: ResetTwoFactorInput): Promise<User>;
  /**
   * Ends the user's password and second-factor lockouts: the count of the user's email, of the factor and
   * of each device in `devices`. Reason: `user_gone`.
   */
  unlockUser(user: User, devices: readonly Device[], audit: AuditEvent): Promise<void>;
  /**
   * Writes a lockout's security event; a second-factor lockout (`endRemembering`) also ends remembering for
   * every device of the user.
   */
  recordLockout(audit: AuditEvent, endRemembering: boolean): Promise<void>;
  /**
   * Consecutive wrong passwords for an email of an app, whether or not a user has it (so a lockout never
   * tells an email exists). `null` when none are counted.
   */
  getPasswordFailures(appId: string, email: string): Promise<FailureCount | null>;
  /**
   * The password step's first read, in one round trip: the app, the user the email is claimed by (its id),
   * and the email's failure count.
   */
  readPasswordStep(
    appId: string,
    email: string,
  ): Promise<{ app: AppRuntime | null; userId: string | null; emailFailures: FailureCount | null }>;
  /**
   * A user, where a login challenge of theirs would go (their factor, `null` without one) and one of their
   * devices (by id), in one round trip; an unknown email reads a user id nobody has, at the same cost.
   */
  readUserWithDevice(
    userId: string,
    deviceId: string | null,
  ): Promise<{ user: User | null; challengeRoom: ChallengeRoom | null; device: Device | null }>;
  /**
   * Counts a wrong password in one write: the count `countedOn` names (the email's, or the password count of
   * a device of `userId`) moved from `seen` to `next`, the email's expiring at `expiresAt`; with `lockout`,
   * the lockout's audit entry in the same transaction. A lock of the email's count of a user with a factor
   * (`userHasFactor`) is also stamped on the factor, where a right password's challenge is written, so that
   * write can refuse it (`completePasswordStep`). `count_moved`: another request moved it first.
   */
  countPasswordFailure(input: CountPasswordFailureInput): Promise<'counted' | 'count_moved'>;
  /** Like `reserveSecondFactorAttempt`, for the password of `email`; the count is forgotten at `expiresAt` (epoch seconds). */
  movePasswordFailures(appId: string, email: string, seen: FailureCount, next: FailureCount, expiresAt: number): Promise<boolean>;
}

/** Sessions, login challenges and devices, and the writes that issue a session or prove a second factor. */
export interface SessionRepository {
  /** Issues a session to a device (see `DeviceUse`); fails with `device_changed`. */
  issueSession(session: Session, device: DeviceUse): Promise<void>;
  getSession(tokenHash: string): Promise<Session | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Stores a challenge; a login challenge in its user's factor (which must exist), as `readLoginAttempt` reads it. */
  putChallenge(challenge: Challenge): Promise<void>;
  /** An enrollment challenge by its token's hash (login challenges are read with `readLoginAttempt`). */
  getChallenge(tokenHash: string): Promise<Challenge | null>;
  getDevice(userId: string, deviceId: string): Promise<Device | null>;
  /** Every device item of the user, whatever its generation (the caller filters). */
  listDevices(userId: string): Promise<Device[]>;
  /** Forgets a device of `user`; false when it has none by that id. */
  forgetDevice(user: User, deviceId: string, audit: AuditEvent): Promise<boolean>;
  /** Like `reserveSecondFactorAttempt`, for one count of a known device; false also when the device is gone. */
  moveDeviceFailures(userId: string, deviceId: string, count: DeviceCount, seen: FailureCount, next: FailureCount): Promise<boolean>;
  /** Ends every session, challenge and device of the user (a new generation of each). Reason: `user_changed`. */
  signOutEverywhere(user: User, audit: AuditEvent): Promise<void>;
  /**
   * Records a second factor proven by a session (a step-up): spends the time step (or the backup code) and
   * stamps the session. Reasons: `step_used`, `backup_code_used`, `user_changed`.
   */
  stepUp(input: StepUpInput): Promise<void>;
  /**
   * A right password, in one write: clears the count it was made against (the email's, or the device's
   * password count) only while that count is not locked at `now`, and starts what follows: a challenge, or a
   * session issued to a device. A login challenge goes into the user's factor (`room`), in one conditional
   * write of that item when the email's count was seen clear (the lock of that count is stamped on the
   * factor too). Reasons: `count_locked`, `device_changed`, `user_changed` (the factor was replaced or removed).
   */
  completePasswordStep(input: CompletePasswordStepInput): Promise<void>;
  /**
   * Everything the second step of a login judges a code by, in one read: the app, the challenge, the user,
   * the factor, the device the login presented and (for a backup code) the code set. Null where absent; the
   * caller checks that they belong together.
   */
  readLoginAttempt(input: ReadLoginAttemptInput): Promise<LoginAttempt>;
  /**
   * Counts a wrong code of a login in one transaction: one more failure on the challenge (refused once it has
   * used its attempts) and the count `countedOn` names moved from `seen` to `next`; with `lockout` (`next`
   * locks), the lockout's audit entry and the end of remembering for every device of the user. Returns
   * `counted`, or what refused it: `count_moved` (another request moved the count first; re-read it),
   * `challenge_spent`.
   */
  countLoginFailure(input: CountLoginFailureInput): Promise<'counted' | 'count_moved' | 'challenge_spent'>;
  /**
   * Spends `step` and the challenge, and issues the session to `device`; a success counted on the account
   * clears the account's failures, one counted on a device clears the device's. Commits only while the
   * count it is made against is not locked at `now`, the challenge has attempts left and `factor` (the one
   * the code was judged against) is still the user's. Reasons: `step_used`, `count_locked`,
   * `challenge_spent`, `user_changed`, `device_changed`.
   */
  completeLoginWithTotp(input: CompleteLoginWithTotpInput): Promise<void>;
  /**
   * Spends one backup code and the challenge, and issues the session, under the same conditions. Reasons:
   * `backup_code_used`, `count_locked`, `challenge_spent`, `user_changed`, `device_changed`.
   */
  completeLoginWithBackupCode(input: CompleteLoginWithBackupCodeInput): Promise<void>;
}

/** What `readLoginAttempt` found. */
export interface LoginAttempt {
  app: AppRuntime | null;
  challenge: Challenge | null;
  user: User | null;
  factor: TotpFactor | null;
  device: Device | null;
  backupCodes: BackupCodeSet | null;
}

/** The audit trail an app's admins list (every write above records its own entry in its transaction). */
export interface AuditRepository {
  listAuditEvents(appId: string, limit: number, cursor: string | null): Promise<Page<AuditEvent>>;
}

/** Seals TOTP secrets under an app's data key (envelope encryption rooted in KMS). */
export interface SecretBox {
  seal(app: App, userId: string, secret: Uint8Array): Promise<SealedSecret>;
  open(appId: string, userId: string, sealed: SealedSecret): Promise<Buffer>;
  /** Asks KMS for a new data key for the app; returns its id and its wrapped (KMS-encrypted) form. */
  createDataKey(appId: string): Promise<{ keyId: string; wrappedKey: string }>;
}

/** Publishes security events for portals (EventBridge in AWS). */
export interface EventPublisher {
  /** Returns the indexes of the events that were not accepted (to be retried). */
  publish(events: SecurityEvent[]): Promise<number[]>;
}

/** The store, one repository per aggregate, all over one table (or one in-memory stand-in). */
export interface Repositories {
  apps: AppRepository;
  users: UserRepository;
  sessions: SessionRepository;
  audit: AuditRepository;
}

export interface Dependencies extends Repositories {
  secrets: SecretBox;
  clock: Clock;
}

/** An email to one recipient, as plain text and HTML. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends email (Amazon SES v2 in AWS, its local stand-in on a developer's machine). */
export interface Mailer {
  /** Returns the provider's message id; throws when the message was not accepted (the event is retried). */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/**
 * Which security emails were sent, so an event delivered twice sends one email. A delivery claims the email
 * for a lease (one conditional write); a second delivery meanwhile, or after it was sent, finds the claim and
 * sends nothing. A claim whose delivery died before sending is claimable again once its lease ran out.
 */
export interface NotificationLog {
  /** True when this delivery now holds the claim; false when the email was sent or is being sent. */
  claim(input: { key: string; claimId: string; now: number; leaseUntil: number; expiresAt: number }): Promise<boolean>;
  /** Records the email as sent (no later claim succeeds); only the claim's holder may. */
  markSent(input: { key: string; claimId: string; messageId: string; sentAt: number; expiresAt: number }): Promise<void>;
  /** Gives the claim back after a failed send, so the retry may send. */
  release(input: { key: string; claimId: string; expiresAt: number }): Promise<void>;
}
