import { randomUUID } from 'node:crypto';
import { type Enforcement, enrollByOf } from '../enforcement.js';
import { NotFoundError } from '../errors.js';
import type {
  AppRuntime,
  Assurance,
  AuditEvent,
  AuditEventType,
  Challenge,
  ChallengePurpose,
  Role,
  Session,
  TwoFactorMode,
  User,
  UserSummary,
} from '../model.js';
import type { Dependencies } from '../ports.js';
import { challengeLifetimeMs, hashToken, newToken, sessionLifetimeMs, toEpochSeconds } from '../tokens.js';

export { maxAttemptsPerChallenge } from '../lockout.js';

export async function requireApp(deps: Dependencies, appId: string): Promise<AppRuntime> {
  const app = await deps.apps.getAppRuntime(appId);
  if (!app) throw new NotFoundError('The app');
  return app;
}

export interface IssuedSession {
  token: string;
  session: Session;
}

export interface IssuedChallenge {
  token: string;
  challenge: Challenge;
}

/**
 * A new session of `user` (of the generation the user has, or will have once the write that issues it
 * commits) on the device `deviceId`. A `two_factor` session has just proved the second factor.
 */
export function newSession(
  deps: Dependencies,
  user: User,
  assurance: Assurance,
  deviceId: string | null,
  generation = user.generation,
): IssuedSession {
  const token = newToken();
  const now = deps.clock();
  return {
    token,
    session: {
      tokenHash: hashToken(token),
      appId: user.appId,
      userId: user.id,
      generation,
      assurance,
      deviceId,
      secondFactorAt: assurance === 'two_factor' ? now : null,
      createdAt: new Date(now).toISOString(),
      expiresAt: toEpochSeconds(now + sessionLifetimeMs),
    },
  };
}

/**
 * A login challenge's token names the user and the device it was issued to (`<user id>.<device id or ->.<256
 * random bits>`), so its verify can read the user's items along with the challenge in one round trip. Only
 * the hash of the whole is stored, and the stored challenge must name the same user and device.
 */
const loginChallengeShape = /^(usr_[\w-]{22})\.(dev_[\w-]{22}|-)\.[\w-]{43}$/;

/** The user and device a login challenge token names, or null when it is not of that shape. */
export function loginChallengeIds(token: string): { userId: string; deviceId: string | null } | null {
  const match = loginChallengeShape.exec(token);
  if (!match?.[1] || !match[2]) return null;
  return { userId: match[1], deviceId: match[2] === '-' ? null : match[2] };
}

/** A challenge of `purpose`, carrying the known device its login presented (if any). */
export function newChallenge(deps: Dependencies, user: User, purpose: ChallengePurpose, deviceId: string | null = null): IssuedChallenge {
  const token = purpose === 'login' ? `${user.id}.${deviceId ?? '-'}.${newToken()}` : newToken();
  const now = deps.clock();
  return {
    token,
    challenge: {
      tokenHash: hashToken(token),
      appId: user.appId,
      userId: user.id,
      generation: user.generation,
      purpose,
      deviceId,
      failedAttempts: 0,
      createdAt: new Date(now).toISOString(),
      expiresAt: toEpochSeconds(now + challengeLifetimeMs),
    },
  };
}

export interface UserView {
  id: string;
  email: string;
  role: Role;
}

/** A device as the answer that issued a session hands it to the portal, which keeps the token. */
export interface DeviceView {
  id: string;
  token: string;
  expiresAt: string;
  rememberedUntil: string | null;
}

export interface SignedIn {
  status: 'SIGNED_IN';
  session: { token: string; expiresAt: string; assurance: Assurance };
  user: UserView;
  device: DeviceView;
}

export interface ChallengeIssued {
  status: 'TWO_FACTOR_REQUIRED' | 'TWO_FACTOR_ENROLLMENT_REQUIRED';
  challenge: { token: string; expiresAt: string; rememberDeviceDays?: number };
}

export function userView(user: User): UserView {
  return { id: user.id, email: user.email, role: user.role };
}

export function sessionView(issued: IssuedSession): SignedIn['session'] {
  return {
    token: issued.token,
    expiresAt: new Date(issued.session.expiresAt * 1000).toISOString(),
    assurance: issued.session.assurance,
  };
}

export function signedIn(issued: IssuedSession, user: User, device: DeviceView): SignedIn {
  return { status: 'SIGNED_IN', session: sessionView(issued), user: userView(user), device };
}

/**
 * A password session, with what the portal should offer next: 2FA is available, suggested, and (while a
 * grace period runs for a user it is required for) the deadline to enroll by.
 */
export type SignedInWithOffer = SignedIn & { twoFactor: { available: boolean; suggested: boolean; enrollBy: string | null } };

/** The outcome of the password step: a session, or a challenge the user must answer first. */
export type PasswordStepResult = SignedInWithOffer | ChallengeIssued;

export function signedInWithOffer(
  issued: IssuedSession,
  user: User,
  device: DeviceView,
  mode: TwoFactorMode,
  enforcement: Enforcement = { kind: 'none' },
): SignedInWithOffer {
  return {
    ...signedIn(issued, user, device),
    twoFactor: {
      available: mode !== 'off',
      suggested: (mode === 'optional' || enforcement.kind === 'grace') && !user.twoFactorEnabled,
      enrollBy: enrollByOf(enforcement),
    },
  };
}

/**
 * The answer that asks for a second factor or an enrollment first. A login challenge also says for how many
 * days the app lets the user trust this browser (0: it does not), so the code prompt can offer it honestly.
 */
export function challengeIssued(issued: IssuedChallenge, rememberDeviceDays = 0): ChallengeIssued {
  const challenge = { token: issued.token, expiresAt: new Date(issued.challenge.expiresAt * 1000).toISOString() };
  return issued.challenge.purpose === 'login'
    ? { status: 'TWO_FACTOR_REQUIRED', challenge: { ...challenge, rememberDeviceDays } }
    : { status: 'TWO_FACTOR_ENROLLMENT_REQUIRED', challenge };
}

export function userSummary(user: User): UserSummary {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt, twoFactorSetupComplete: user.twoFactorEnabled };
}

/** The actor of a security event nobody authenticated for (wrong passwords from anyone). */
export const anonymousActor = 'anonymous';

export function auditEvent(
  deps: Dependencies,
  appId: string,
  type: AuditEventType,
  actorId: string,
  targetUserId: string | null,
  detail?: AuditEvent['detail'],
): AuditEvent {
  return { id: randomUUID(), appId, at: new Date(deps.clock()).toISOString(), type, actorId, targetUserId, ...(detail ? { detail } : {}) };
}

/** Emails are compared case-insensitively; the stored form is trimmed and lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isExpired(expiresAtSeconds: number, nowMs: number): boolean {
  return expiresAtSeconds * 1000 <= nowMs;
}
