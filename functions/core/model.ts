/** The 2FA domain's records, in the product's words. Storage shapes live in the DynamoDB adapter. */

export const plans = ['free', 'pro', 'business', 'enterprise'] as const;
export type Plan = (typeof plans)[number];

export const twoFactorModes = ['off', 'optional', 'required'] as const;
export type TwoFactorMode = (typeof twoFactorModes)[number];

export const roles = ['admin', 'member'] as const;
export type Role = (typeof roles)[number];

/** Wall clock in milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

export interface App {
  id: string;
  name: string;
  plan: Plan;
  createdAt: string;
  /** The app's current data key (wrapped by KMS, stored beside the app). */
  dataKeyId: string;
  /** Web origins (`https://portal.example`) whose pages may call the API from a browser (CORS). */
  allowedOrigins: string[];
}

export interface PublishedConfig {
  version: number;
  mode: TwoFactorMode;
  /** How long a user may have a device remembered for the second factor (0: never). */
  rememberDeviceDays: number;
  /** Days a user without a factor keeps signing in after 2FA became required for them (0: enroll at once). */
  requiredGraceDays: number;
  /** Under `optional`, the roles for which 2FA is required all the same. */
  requiredForRoles: Role[];
  /** Per role 2FA is required for in this config: since when it has been, without a break (see enforcement.ts). */
  requiredSince: Partial<Record<Role, string>>;
  publishedAt: string;
}

/** The app with what every runtime decision reads: its published config only. */
export interface AppRuntime extends App {
  publishedConfig: PublishedConfig | null;
}

/** What an admin sets: the mode, remembering devices, and how 2FA is enforced (grace, per-role). */
export interface SettingsValues {
  mode: TwoFactorMode;
  rememberDeviceDays: number;
  requiredGraceDays: number;
  requiredForRoles: Role[];
}

export interface DraftSettings extends SettingsValues {
  updatedAt: string;
}

/** A TOTP secret sealed with AES-256-GCM under an app data key; appId and userId are bound as AAD. */
export interface SealedSecret {
  v: 1;
  keyId: string;
  iv: string;
  ciphertext: string;
}

export interface User {
  id: string;
  appId: string;
  email: string;
  role: Role;
  createdAt: string;
  passwordHash: string;
  /**
   * Bumped by a 2FA reset, "sign out everywhere" and the changes that end the user's other sessions
   * (confirm, disable, regenerate): every session and challenge minted under an older generation is dead.
   */
  generation: number;
  /** Bumped by "sign out everywhere": every device registered under an older one is forgotten. */
  deviceGeneration: number;
  /**
   * Bumped by a reset, disable, regeneration or second-factor lockout: a device remembered under an older
   * one no longer skips the second factor.
   */
  rememberGeneration: number;
  twoFactorEnabled: boolean;
  twoFactorEnabledAt: string | null;
}

/** Consecutive failures of one secret of an account (its password, its second factor) and its lock. */
export interface FailureCount {
  failedAttempts: number;
  /** Epoch ms until which every attempt is refused, or null. */
  lockedUntil: number | null;
}

/** A confirmed authenticator. */
export interface TotpFactor {
  userId: string;
  secret: SealedSecret;
  enabledAt: string;
  /** RFC 6238 §5.2: a step once accepted (and every earlier one) is never accepted again. */
  lastAcceptedStep: number;
  /** Consecutive wrong second-factor codes across all challenges and sessions; a success resets it. */
  failedAttempts: number;
  /** Epoch ms until which the second factor refuses every code, or null. */
  lockedUntil: number | null;
}

/** An unconfirmed authenticator: the secret shown as a QR code, waiting for its first code. */
export interface PendingEnrollment {
  userId: string;
  enrollmentId: string;
  secret: SealedSecret;
  failedAttempts: number;
  expiresAt: number;
}

export interface BackupCodeSet {
  userId: string;
  setId: string;
  salt: string;
  /** Hashes of the codes not used yet. */
  remainingHashes: string[];
  createdAt: string;
}

export const assurances = ['password', 'two_factor', 'remembered_device'] as const;
export type Assurance = (typeof assurances)[number];

export interface Session {
  tokenHash: string;
  appId: string;
  userId: string;
  generation: number;
  assurance: Assurance;
  /** The device the session was issued to. */
  deviceId: string | null;
  /** Epoch ms when this session last proved a second factor (login/verify, enrollment, step-up), or null. */
  secondFactorAt: number | null;
  createdAt: string;
  expiresAt: number;
}

/**
 * A browser a user signed in from (OWASP's "device cookie"): its token (only the hash is kept) tells the
 * user's own devices from anyone else's, so failures from elsewhere never lock it out, and the app may let
 * it skip the second factor for a while.
 */
export interface Device {
  id: string;
  appId: string;
  userId: string;
  tokenHash: string;
  /** The user's `deviceGeneration` it was registered under. */
  generation: number;
  createdAt: string;
  lastUsedAt: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** Epoch ms when the user chose "trust this browser", and until when; null when not remembered. */
  rememberedAt: number | null;
  rememberedUntil: number | null;
  /** The user's `rememberGeneration` it was remembered under. */
  rememberGeneration: number;
  /** Wrong passwords and second-factor codes sent with this device: they lock this device alone. */
  passwordFailures: FailureCount;
  secondFactorFailures: FailureCount;
}

export const challengePurposes = ['login', 'enrollment'] as const;
export type ChallengePurpose = (typeof challengePurposes)[number];

export interface Challenge {
  tokenHash: string;
  appId: string;
  userId: string;
  generation: number;
  purpose: ChallengePurpose;
  /** The valid device the login presented, whose failures the challenge's codes count against. */
  deviceId: string | null;
  failedAttempts: number;
  createdAt: string;
  expiresAt: number;
}

/** A login challenge a user's factor holds, as a new login sees it: its key there and when it expires. */
export interface ChallengeSlot {
  key: string;
  expiresAt: number;
}

/**
 * Where a login puts its challenge: the user's factor (its `enabledAt`, so a reset or new enrollment in
 * between refuses the write) and the challenges it holds already (`null`: none ever), the expired ones to
 * drop and the oldest to give up when it holds too many.
 */
export interface ChallengeRoom {
  factorEnabledAt: string;
  slots: ChallengeSlot[] | null;
}

export const auditEventTypes = [
  'app.created',
  'allowed_origins.changed',
  'plan.changed',
  'settings.updated',
  'config.published',
  'two_factor.enrolled',
  'two_factor.disabled',
  'two_factor.reset',
  'backup_code.used',
  'backup_codes.regenerated',
  'two_factor.locked_out',
  'password.locked_out',
  'user.unlocked',
  'device.remembered',
  'device.forgotten',
  'sessions.revoked',
  'two_factor.enforcement_deadline_approaching',
] as const;
export type AuditEventType = (typeof auditEventTypes)[number];

export interface AuditEvent {
  id: string;
  appId: string;
  at: string;
  type: AuditEventType;
  actorId: string;
  targetUserId: string | null;
  detail?: Record<string, string | number | boolean>;
}

/** The public view of a user (admin users table and `me`). */
export interface UserSummary {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  twoFactorSetupComplete: boolean;
}
