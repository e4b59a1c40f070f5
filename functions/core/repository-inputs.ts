/** What the repositories' writes take (see `ports.ts`), named once for the port and its implementations. */
import type {
  App,
  AuditEvent,
  BackupCodeSet,
  Challenge,
  ChallengeRoom,
  Device,
  DraftSettings,
  FailureCount,
  PendingEnrollment,
  Plan,
  Role,
  PublishedConfig,
  Session,
  TotpFactor,
  SettingsValues,
  User,
} from './model.js';
import type { CountedOn, CurrentSession, DeviceUse } from './ports.js';

/** What `createApp` takes. */
export interface CreateAppInput {
  app: App;
  draft: DraftSettings;
  wrappedDataKey: string;
  admin: User;
  publishedConfig: PublishedConfig | null;
  audit: AuditEvent;
}

/** What `changePlan` takes. */
export interface ChangePlanInput {
  appId: string;
  plan: Plan;
  seen: { publishedVersion: number | null; draft: SettingsValues };
  /** The draft lowered to the new plan, or null when it stays. */
  draft: DraftSettings | null;
  publish: PublishedConfig | null;
  audit: AuditEvent;
}

/** What `confirmEnrollment` takes. */
export interface ConfirmEnrollmentInput {
  user: User;
  pending: PendingEnrollment;
  factor: TotpFactor;
  backupCodes: BackupCodeSet;
  audit: AuditEvent;
  start: { challenge: Challenge; session: Session; device: DeviceUse } | { current: CurrentSession };
}

/** What `replaceBackupCodes` takes. */
export interface ReplaceBackupCodesInput {
  user: User;
  step: number;
  backupCodes: BackupCodeSet;
  audit: AuditEvent;
  current: CurrentSession;
  countedOn: CountedOn;
}

/** What `disableTwoFactor` takes. */
export interface DisableTwoFactorInput {
  user: User;
  step: number;
  audit: AuditEvent;
  current: CurrentSession;
}

/** What `resetTwoFactor` takes. */
export interface ResetTwoFactorInput {
  user: User;
  devices: readonly Device[];
  audit: AuditEvent;
}

/** What `countPasswordFailure` takes. */
export interface CountPasswordFailureInput {
  appId: string;
  email: string;
  userId: string | null;
  countedOn: CountedOn;
  seen: FailureCount;
  next: FailureCount;
  expiresAt: number;
  lockout: AuditEvent | null;
  /** The user the email is claimed by has a TOTP factor (as read): a lock of the email's count is stamped on it. */
  userHasFactor: boolean;
}

/** What `stepUp` takes. */
export interface StepUpInput {
  user: User;
  session: Session;
  secondFactorAt: number;
  proof: { step: number } | { setId: string; codeHash: string };
  countedOn: CountedOn;
  audit: AuditEvent | null;
}

/** What `completePasswordStep` takes. */
export interface CompletePasswordStepInput {
  user: User;
  countedOn: CountedOn;
  now: number;
  /**
   * A challenge, with where a login challenge goes (see `readUserWithDevice`) and the count as the login
   * read it; or a session issued to a device.
   */
  start: { challenge: Challenge; room: ChallengeRoom | null; seen: FailureCount } | { session: Session; device: DeviceUse };
}

/** What `readLoginAttempt` takes. */
export interface ReadLoginAttemptInput {
  appId: string;
  challengeHash: string;
  userId: string;
  deviceId: string | null;
  backupCodes: boolean;
}

/** What `countLoginFailure` takes. */
export interface CountLoginFailureInput {
  challenge: Challenge;
  userId: string;
  countedOn: CountedOn;
  seen: FailureCount;
  next: FailureCount;
  lockout: AuditEvent | null;
}

/** What `completeLoginWithTotp` takes. */
export interface CompleteLoginWithTotpInput {
  challenge: Challenge;
  user: User;
  factor: TotpFactor;
  step: number;
  session: Session;
  device: DeviceUse;
  countedOn: CountedOn;
  now: number;
  audits: AuditEvent[];
}

/** What `completeLoginWithBackupCode` takes. */
export interface CompleteLoginWithBackupCodeInput {
  challenge: Challenge;
  user: User;
  setId: string;
  codeHash: string;
  session: Session;
  device: DeviceUse;
  countedOn: CountedOn;
  now: number;
  audits: AuditEvent[];
}

/** How a change moves a user's enrollment counters (see `getEnrollmentCounts`). */
export interface EnrollmentDelta {
  users: 0 | 1;
  enrolled: -1 | 0 | 1;
}

/** One role's enrollment counters: every user and the enrolled ones, in total and per UTC sign-up day. */
export interface RoleEnrollmentCounts {
  users: number;
  enrolled: number;
  /** The sign-up days asked for that have users, oldest first. */
  byDay: { day: string; users: number; enrolled: number }[];
}

export type EnrollmentCounts = Record<Role, RoleEnrollmentCounts>;

/** A filter of the users listing by 2FA state. */
export interface UsersFilter {
  twoFactorEnabled: boolean;
}
