import { randomBytes } from 'node:crypto';
import { createMemoryRepositories } from '../../../functions/adapters/memory/repositories.js';
import { MemorySecretBox } from '../../../functions/adapters/memory/secret-box.js';
import { generateBackupCodes, normalizeBackupCode } from '../../../functions/core/backup-codes.js';
import { DomainError, type ErrorCode } from '../../../functions/core/errors.js';
import { hashBackupCode, hashPassword, newBackupCodeSalt } from '../../../functions/core/hashing.js';
import { maxAttemptsPerChallenge, noFailures } from '../../../functions/core/lockout.js';
import { requiredSinceAfter } from '../../../functions/core/enforcement.js';
import type {
  App,
  AuditEvent,
  AuditEventType,
  FailureCount,
  Plan,
  Role,
  TotpFactor,
  TwoFactorMode,
  User,
} from '../../../functions/core/model.js';
import type { Dependencies, DeviceCount } from '../../../functions/core/ports.js';
import { hashToken, newId } from '../../../functions/core/tokens.js';
import { generateTotpSecret } from '../../../functions/core/totp.js';
import { auditEvent, newChallenge, newSession } from '../../../functions/core/use-cases/common.js';
import { newDevice } from '../../../functions/core/use-cases/devices.js';
import { hotpCode } from '../authenticator.js';

/**
 * The domain over the in-memory store with a clock the test sets. The use cases are what a spec acts with;
 * the states it starts from (an app, a user with a session and a device, an enrolled user, a login
 * challenge) are written through the store's own ports, as the use cases write them, so a spec pays for no
 * Argon2id hash it does not test: every seeded user shares one password hash, every seeded backup code set
 * one salt and the hashes of its first codes.
 */

/** 2030-01-01T00:00:05Z: five seconds into a TOTP time step, so a spec controls every step it crosses. */
const startOfTime = Date.UTC(2030, 0, 1, 0, 0, 5);

export const stepMs = 30_000;
export const minuteMs = 60_000;
export const dayMs = 24 * 60 * minuteMs;

/** The password of every seeded user. */
export const password = 'correct horse battery staple';

export class World {
  /** Epoch ms the use cases read as now. */
  now = startOfTime;
  readonly secrets = new MemorySecretBox();
  readonly deps: Dependencies = { ...createMemoryRepositories({ maxAttemptsPerChallenge }), secrets: this.secrets, clock: () => this.now };

  advance(ms: number): void {
    this.now += ms;
  }
}

export interface SeededApp {
  app: App;
  admin: SeededUser;
}

export interface SeededUser {
  /** As stored once seeded. */
  user: User;
  email: string;
  sessionToken: string;
  deviceToken: string;
  deviceId: string;
}

export interface EnrolledUser extends SeededUser {
  secret: Buffer;
  /** The first codes of the user's set of 10, the ones a spec may use. */
  backupCodes: string[];
}

let sharedPasswordHash: Promise<string> | undefined;

/** One Argon2id hash of `password` per test file, shared by every seeded user. */
function passwordHash(): Promise<string> {
  sharedPasswordHash ??= hashPassword(password);
  return sharedPasswordHash;
}

/** How many codes of a seeded set are real; the rest stand in for codes nobody knows. */
const knownBackupCodes = 3;
let sharedBackupCodes: Promise<{ salt: string; codes: string[]; hashes: string[] }> | undefined;

function backupCodeSet(): Promise<{ salt: string; codes: string[]; hashes: string[] }> {
  sharedBackupCodes ??= (async () => {
    const salt = newBackupCodeSalt();
    const codes = generateBackupCodes(knownBackupCodes);
    const hashes = await Promise.all(codes.map((code) => hashBackupCode(normalizeBackupCode(code)!, salt)));
    const unknown = Array.from({ length: 10 - knownBackupCodes }, () => randomBytes(32).toString('hex'));
    return { salt, codes, hashes: [...hashes, ...unknown] };
  })();
  return sharedBackupCodes;
}

/**
 * An app with its data key and an admin (who has a session and a device); with `published`, version 1 of
 * its config is live and the draft equals it, else nothing is published and the draft is `off`.
 */
export async function seedApp(
  world: World,
  options: {
    plan?: Plan;
    published?: {
      mode: TwoFactorMode;
      rememberDeviceDays?: number;
      requiredGraceDays?: number;
      requiredForRoles?: Role[];
    } | null;
  } = {},
): Promise<SeededApp> {
  const { deps } = world;
  const at = new Date(world.now).toISOString();
  const appId = newId('app');
  const dataKey = await deps.secrets.createDataKey(appId);
  const app: App = {
    id: appId,
    name: 'Acme Portal',
    plan: options.plan ?? 'enterprise',
    createdAt: at,
    dataKeyId: dataKey.keyId,
    allowedOrigins: [],
  };
  const settings = {
    mode: options.published?.mode ?? 'off',
    rememberDeviceDays: options.published?.rememberDeviceDays ?? 0,
    requiredGraceDays: options.published?.requiredGraceDays ?? 0,
    requiredForRoles: options.published?.requiredForRoles ?? [],
  };
  const admin = await newUser(world, app, 'admin');
  await deps.apps.createApp({
    app,
    draft: { ...settings, updatedAt: at },
    wrappedDataKey: dataKey.wrappedKey,
    admin,
    publishedConfig: options.published
      ? { version: 1, ...settings, requiredSince: requiredSinceAfter(null, settings, at), publishedAt: at }
      : null,
    audit: auditEvent(deps, appId, 'app.created', 'platform', admin.id),
  });
  return { app, admin: await signedInSeed(world, admin) };
}

async function newUser(world: World, app: App, role: Role): Promise<User> {
  return {
    id: newId('usr'),
    appId: app.id,
    email: `${role}-${randomBytes(4).toString('hex')}@example.test`,
    role,
    createdAt: new Date(world.now).toISOString(),
    passwordHash: await passwordHash(),
    generation: 0,
    deviceGeneration: 0,
    rememberGeneration: 0,
    twoFactorEnabled: false,
    twoFactorEnabledAt: null,
  };
}

/** Another password session (on a new device) for a user already stored. */
export async function seedSession(world: World, user: User): Promise<SeededUser> {
  return signedInSeed(world, (await world.deps.users.getUser(user.id))!);
}

/** A password session (and its device) for a user already stored. */
async function signedInSeed(world: World, user: User): Promise<SeededUser> {
  const { deps } = world;
  const device = newDevice(deps, user);
  const issued = newSession(deps, user, 'password', device.use.device.id);
  await deps.sessions.issueSession(issued.session, device.use);
  return { user, email: user.email, sessionToken: issued.token, deviceToken: device.token, deviceId: device.use.device.id };
}

/** A user of `app` as a sign-up leaves one: a password session on a new device. */
export async function seedUser(world: World, app: App, role: Role = 'member'): Promise<SeededUser> {
  const { deps } = world;
  const user = await newUser(world, app, role);
  const device = newDevice(deps, user);
  const issued = newSession(deps, user, 'password', device.use.device.id);
  await deps.users.createUser(user, { session: issued.session, device: device.use.device });
  return { user, email: user.email, sessionToken: issued.token, deviceToken: device.token, deviceId: device.use.device.id };
}

/**
 * A user who linked an authenticator from their session (the session goes on; it has not proved a second
 * factor for step-up), with a set of 10 backup codes. No time step has been accepted yet.
 */
export async function seedEnrolledUser(world: World, app: App, role: Role = 'member'): Promise<EnrolledUser> {
  const { deps } = world;
  const seeded = await seedUser(world, app, role);
  const { user } = seeded;
  const secret = generateTotpSecret();
  const sealed = await deps.secrets.seal(app, user.id, secret);
  const pending = {
    userId: user.id,
    enrollmentId: newId('enr'),
    secret: sealed,
    failedAttempts: 0,
    expiresAt: Math.floor(world.now / 1000) + 600,
  };
  await deps.users.putPendingEnrollment(pending);
  const enabledAt = new Date(world.now).toISOString();
  const factor: TotpFactor = { userId: user.id, secret: sealed, enabledAt, lastAcceptedStep: 0, failedAttempts: 0, lockedUntil: null };
  const set = await backupCodeSet();
  const session = await deps.sessions.getSession(hashToken(seeded.sessionToken));
  await deps.users.confirmEnrollment({
    user,
    pending,
    factor,
    backupCodes: { userId: user.id, setId: newId('bcs'), salt: set.salt, remainingHashes: set.hashes, createdAt: enabledAt },
    audit: auditEvent(deps, app.id, 'two_factor.enrolled', user.id, user.id),
    start: { current: { session: session! } },
  });
  return { ...seeded, user: (await deps.users.getUser(user.id))!, secret, backupCodes: set.codes };
}

/** A login challenge for `user` as a right password issues it (naming the device the login presented). */
export async function seedLoginChallenge(world: World, user: User, deviceId: string | null = null): Promise<string> {
  const current = (await world.deps.users.getUser(user.id))!;
  const issued = newChallenge(world.deps, current, 'login', deviceId);
  await world.deps.sessions.putChallenge(issued.challenge);
  return issued.token;
}

/** An enrollment challenge for `user` as a login under a `required` mode issues it to a user without a second factor. */
export async function seedEnrollmentChallenge(world: World, user: User): Promise<string> {
  const issued = newChallenge(world.deps, (await world.deps.users.getUser(user.id))!, 'enrollment');
  await world.deps.sessions.putChallenge(issued.challenge);
  return issued.token;
}

/** The code the user's authenticator app shows at `atMs`, written from RFC 6238 independently of the service's TOTP. */
export function codeAt(secret: Buffer, atMs: number): string {
  return hotpCode(secret, Math.floor(atMs / stepMs));
}

/** A six-digit code that is none of the codes the window around `atMs` accepts. */
export function wrongCodeAt(secret: Buffer, atMs: number): string {
  const accepted = new Set([-1, 0, 1].map((offset) => codeAt(secret, atMs + offset * stepMs)));
  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

/** The account's second-factor count as stored. */
export async function accountCount(world: World, userId: string): Promise<FailureCount> {
  const factor = (await world.deps.users.getTotpFactor(userId))!;
  return { failedAttempts: factor.failedAttempts, lockedUntil: factor.lockedUntil };
}

/** Sets the account's second-factor count, as that many earlier wrong codes would have. */
export async function setAccountCount(world: World, userId: string, next: FailureCount): Promise<void> {
  const seen = await accountCount(world, userId);
  if (!(await world.deps.users.reserveSecondFactorAttempt(userId, seen, next))) throw new Error('the count moved while seeding it');
}

/** Sets an email's password count, as that many earlier wrong passwords from unknown clients would have. */
export async function setEmailCount(world: World, appId: string, email: string, next: FailureCount): Promise<void> {
  const seen = (await world.deps.users.getPasswordFailures(appId, email)) ?? noFailures;
  const expiresAt = Math.floor(world.now / 1000) + dayMs / 1000;
  if (!(await world.deps.users.movePasswordFailures(appId, email, seen, next, expiresAt)))
    throw new Error('the count moved while seeding it');
}

/** Sets one count of a device, as that many earlier wrong passwords or codes sent with it would have. */
export async function setDeviceCount(world: World, seeded: SeededUser, count: DeviceCount, next: FailureCount): Promise<void> {
  const device = (await world.deps.sessions.getDevice(seeded.user.id, seeded.deviceId))!;
  if (!(await world.deps.sessions.moveDeviceFailures(seeded.user.id, seeded.deviceId, count, device[count], next))) {
    throw new Error('the count moved while seeding it');
  }
}

/** The app's audit entries of one type, oldest first (those of one millisecond in no particular order). */
export async function auditEntries(world: World, appId: string, type: AuditEventType): Promise<AuditEvent[]> {
  const page = await world.deps.audit.listAuditEvents(appId, 1_000, null);
  return page.items.filter((event) => event.type === type).reverse();
}

/** What a call came to: `ok`, or the code of the domain error it failed with (any other error fails the spec). */
export async function outcomeOf(call: Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

/** How many times each outcome occurs, e.g. `{ invalid_code: 9, too_many_attempts: 21 }`. */
export function tally(outcomes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/**
 * A door a store call can be held at (a spy's implementation awaits `pass`), so a spec decides what lands
 * between a use case's read and its write: `reachedBy` waits until the call waits there, `open` lets it on.
 */
export class Gate {
  private arrive!: () => void;
  private letThrough!: () => void;
  private readonly reached = new Promise<void>((resolve) => (this.arrive = resolve));
  private readonly opened = new Promise<void>((resolve) => (this.letThrough = resolve));

  /** Resolves once `call` waits at the gate; fails when it ended without getting there. */
  async reachedBy(call: Promise<unknown>): Promise<void> {
    const ended = call.then((result) => {
      throw new Error(`the call ended before it reached the gate: ${String(result)}`);
    });
    // Once the gate is reached, the call ends later on purpose: that rejection is no failure.
    ended.catch(() => undefined);
    await Promise.race([this.reached, ended]);
  }

  /** Waits at the gate until it opens. */
  async pass(): Promise<void> {
    this.arrive();
    await this.opened;
  }

  open(): void {
    this.letThrough();
  }
}
