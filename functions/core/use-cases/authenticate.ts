import { ChallengeInvalidError, ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Challenge, Session, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { hashToken } from '../tokens.js';
import { isExpired, maxAttemptsPerChallenge } from './common.js';

export interface SessionPrincipal {
  kind: 'session';
  session: Session;
  user: User;
}

export interface ChallengePrincipal {
  kind: 'challenge';
  challenge: Challenge;
  user: User;
}

/**
 * A session is good only for its own app, until it expires, and while the user's generation is the one
 * it was minted under (a 2FA reset bumps the generation and so kills every older session at once).
 */
export async function authenticateSession(deps: Dependencies, appId: string, token: string | null): Promise<SessionPrincipal> {
  if (!token) throw new UnauthorizedError();
  const session = await deps.store.getSession(hashToken(token));
  if (!session || session.appId !== appId || isExpired(session.expiresAt, deps.clock())) throw new UnauthorizedError();
  const user = await deps.store.getUser(session.userId);
  if (!user || user.appId !== appId || user.generation !== session.generation) throw new UnauthorizedError();
  return { kind: 'session', session, user };
}

export async function authenticateAdmin(deps: Dependencies, appId: string, token: string | null): Promise<SessionPrincipal> {
  const principal = await authenticateSession(deps, appId, token);
  if (principal.user.role !== 'admin') throw new ForbiddenError('Only an admin of this app can do this.');
  return principal;
}

/** A live challenge of `purpose` for this app, or `challenge_invalid`. */
export async function loadChallenge(deps: Dependencies, appId: string, token: string, purpose: Challenge['purpose']): Promise<ChallengePrincipal> {
  const challenge = await deps.store.getChallenge(hashToken(token));
  if (
    !challenge ||
    challenge.appId !== appId ||
    challenge.purpose !== purpose ||
    challenge.failedAttempts >= maxAttemptsPerChallenge ||
    isExpired(challenge.expiresAt, deps.clock())
  ) {
    throw new ChallengeInvalidError();
  }
  const user = await deps.store.getUser(challenge.userId);
  if (!user || user.appId !== appId || user.generation !== challenge.generation) throw new ChallengeInvalidError();
  return { kind: 'challenge', challenge, user };
}

/** The two enrollment calls accept a session or the challenge of `TWO_FACTOR_ENROLLMENT_REQUIRED`. */
export async function authenticateForEnrollment(
  deps: Dependencies,
  appId: string,
  token: string | null,
): Promise<SessionPrincipal | ChallengePrincipal> {
  if (!token) throw new UnauthorizedError('A session token or an enrollment challenge token is required.');
  const tokenHash = hashToken(token);
  const [session, challenge] = await Promise.all([deps.store.getSession(tokenHash), deps.store.getChallenge(tokenHash)]);
  if (session) return authenticateSession(deps, appId, token);
  if (challenge && challenge.purpose === 'enrollment') return loadChallenge(deps, appId, token, 'enrollment');
  throw new UnauthorizedError('A session token or an enrollment challenge token is required.');
}
