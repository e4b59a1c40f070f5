import { randomBytes, randomUUID } from 'node:crypto';
import type {
  App,
  AuditEvent,
  AuditEventType,
  BackupCodeSet,
  Challenge,
  Device,
  DraftSettings,
  PendingEnrollment,
  Plan,
  SealedSecret,
  Session,
  TotpFactor,
  User,
} from '../../../functions/core/model.js';
import type { DeviceUse, Repositories } from '../../../functions/core/ports.js';
import { challengeLifetimeMs, newId } from '../../../functions/core/tokens.js';

/**
 * Records for the store contract, each with fresh random ids so that runs and cases never collide in the
 * shared DynamoDB Local table; and the few states many cases start from, reached through the repositories.
 */

const now = Date.now();
const iso = (ms = now) => new Date(ms).toISOString();
const epochSeconds = (ms: number) => Math.floor(ms / 1000);

const tokenHash = (): string => randomBytes(32).toString('hex');
export const hash = (): string => randomBytes(16).toString('hex');
export const email = (label = 'user'): string => `${label}-${randomBytes(6).toString('hex')}@example.test`;

/** A sealed secret as the store sees it: opaque fields it keeps and gives back. */
const sealed = (): SealedSecret => ({ v: 1, keyId: newId('dk'), iv: hash(), ciphertext: hash() });

export function anApp(plan: Plan = 'enterprise'): App {
  return {
    id: newId('app'),
    name: 'Contract Portal',
    plan,
    createdAt: iso(),
    dataKeyId: newId('dk'),
    allowedOrigins: ['https://portal.example'],
  };
}

export function aDraft(overrides: Partial<DraftSettings> = {}): DraftSettings {
  return { mode: 'optional', rememberDeviceDays: 0, requiredGraceDays: 0, requiredForRoles: [], updatedAt: iso(), ...overrides };
}

export function aUser(appId = newId('app'), overrides: Partial<User> = {}): User {
  return {
    id: newId('usr'),
    appId,
    email: email(),
    role: 'member',
    createdAt: iso(),
    passwordHash: `hash-${hash()}`,
    generation: 0,
    deviceGeneration: 0,
    rememberGeneration: 0,
    twoFactorEnabled: false,
    twoFactorEnabledAt: null,
    ...overrides,
  };
}

/** Each audit entry made here is a millisecond newer than the one before, so newest-first listings have one order. */
let auditClock = now;

export function anAudit(appId: string, type: AuditEventType = 'settings.updated', overrides: Partial<AuditEvent> = {}): AuditEvent {
  auditClock += 1;
  return { id: randomUUID(), appId, at: iso(auditClock), type, actorId: newId('usr'), targetUserId: null, ...overrides };
}

export function aSession(user: User, overrides: Partial<Session> = {}): Session {
  return {
    tokenHash: tokenHash(),
    appId: user.appId,
    userId: user.id,
    generation: user.generation,
    assurance: 'password',
    deviceId: null,
    secondFactorAt: null,
    createdAt: iso(),
    expiresAt: epochSeconds(now) + 3600,
    ...overrides,
  };
}

export function aChallenge(user: User, overrides: Partial<Challenge> = {}): Challenge {
  const expiresAt = overrides.expiresAt ?? epochSeconds(now) + 300;
  return {
    tokenHash: tokenHash(),
    appId: user.appId,
    userId: user.id,
    generation: user.generation,
    purpose: 'login',
    deviceId: null,
    failedAttempts: 0,
    // A login challenge's creation is not stored apart from its expiry (the DynamoDB store keeps it in the factor).
    createdAt: new Date(expiresAt * 1000 - challengeLifetimeMs).toISOString(),
    expiresAt,
    ...overrides,
  };
}

export function aDevice(user: User, overrides: Partial<Device> = {}): Device {
  return {
    id: newId('dev'),
    appId: user.appId,
    userId: user.id,
    tokenHash: tokenHash(),
    generation: user.deviceGeneration,
    createdAt: iso(),
    lastUsedAt: iso(),
    expiresAt: epochSeconds(now) + 86_400,
    rememberedAt: null,
    rememberedUntil: null,
    rememberGeneration: user.rememberGeneration,
    passwordFailures: { failedAttempts: 0, lockedUntil: null },
    secondFactorFailures: { failedAttempts: 0, lockedUntil: null },
    ...overrides,
  };
}

export const newDevice = (device: Device): DeviceUse => ({ kind: 'new', device });

export function aPending(user: User, overrides: Partial<PendingEnrollment> = {}): PendingEnrollment {
  return {
    userId: user.id,
    enrollmentId: newId('enr'),
    secret: sealed(),
    failedAttempts: 0,
    expiresAt: epochSeconds(now) + 600,
    ...overrides,
  };
}

export function aFactor(user: User, overrides: Partial<TotpFactor> = {}): TotpFactor {
  return {
    userId: user.id,
    secret: sealed(),
    enabledAt: iso(),
    lastAcceptedStep: 1000,
    failedAttempts: 0,
    lockedUntil: null,
    ...overrides,
  };
}

export function aBackupCodeSet(user: User, count = 3): BackupCodeSet {
  return { userId: user.id, setId: newId('bcs'), salt: hash(), remainingHashes: Array.from({ length: count }, hash), createdAt: iso() };
}

/** A user signed up with a session on a new device, as the store holds them. */
export interface SignedUp {
  user: User;
  session: Session;
  device: Device;
}

export async function signedUp(repos: Repositories, appId = newId('app')): Promise<SignedUp> {
  const user = aUser(appId);
  const device = aDevice(user);
  const session = aSession(user, { deviceId: device.id });
  await repos.users.createUser(user, { session, device });
  return { user, session, device };
}

/** A user with a confirmed factor (last accepted step 1000) and backup codes; `user` and `session` re-read. */
export interface Enrolled extends SignedUp {
  factor: TotpFactor;
  codes: BackupCodeSet;
}

export async function enrolled(repos: Repositories, appId = newId('app')): Promise<Enrolled> {
  const start = await signedUp(repos, appId);
  const pending = aPending(start.user);
  await repos.users.putPendingEnrollment(pending);
  const factor = aFactor(start.user);
  const codes = aBackupCodeSet(start.user);
  await repos.users.confirmEnrollment({
    user: start.user,
    pending,
    factor,
    backupCodes: codes,
    audit: anAudit(appId, 'two_factor.enrolled'),
    start: { current: { session: start.session, secondFactorAt: now } },
  });
  const user = await repos.users.getUser(start.user.id);
  const session = await repos.sessions.getSession(start.session.tokenHash);
  if (!user || !session) throw new Error('the enrolled user or its session is missing');
  return { user, session, device: start.device, factor, codes };
}

/** An app created with its admin, as createApp writes it. */
export function anAppCreation(plan: Plan = 'enterprise'): Parameters<Repositories['apps']['createApp']>[0] {
  const app = anApp(plan);
  const admin = aUser(app.id, { role: 'admin' });
  return { app, draft: aDraft(), wrappedDataKey: hash(), admin, publishedConfig: null, audit: anAudit(app.id, 'app.created') };
}
