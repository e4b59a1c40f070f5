import { ChallengeInvalidError, ForbiddenError, PolicyError, UnauthorizedError } from '../errors.js';
import type { AppRuntime, Challenge, Session, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { enforcementFor } from '../enforcement.js';
import { hashToken } from '../tokens.js';
import { isExpired, maxAttemptsPerChallenge, requireApp } from './common.js';

export interface SessionPrincipal {
  kind: 'session';
  session: Session;
  user: User;
  app: AppRuntime;
}

export interface ChallengePrincipal {
  kind: 'challenge';
  challenge: Challenge;
  user: User;
  app: AppRuntime;
}

export interface SessionOptions {
  /**
   * Once 2FA is required for a user without a second factor and their grace period (if any) is over, their
   * session (issued before) only serves to enroll, read `me` and log out; everything else answers
   * `two_factor_required` until the user links an authenticator.
   */
  allowWithoutRequiredFactor?: boolean;
}

/**
 * A session is good only for its own app, until it expires, and while the user's generation is the one
 * it was minted under (a 2FA reset bumps the generation and so kills every older session at once).
 */
export async function authenticateSession(
  deps: Dependencies,
  appId: string,
  token: string | null,
  options: SessionOptions = {},
): Promise<SessionPrincipal> {
  if (!token) throw new UnauthorizedError();
  return checkSession(deps, appId, await deps.sessions.getSession(hashToken(token)), options);
}

async function checkSession(deps: Dependencies, appId: string, read: Session | null, options: SessionOptions): Promise<SessionPrincipal> {
  let session = read;
  if (!session || session.appId !== appId || isExpired(session.expiresAt, deps.clock())) throw new UnauthorizedError();
  const [user, app] = await Promise.all([deps.users.getUser(session.userId), requireApp(deps, appId)]);
  if (user && user.generation === session.generation + 1) {
    // A change that ends the user's other sessions carries the session that made it over to the new
    // generation in the same write; read before that write and the user after it, that session looks
    // dead. Reading it again tells the carried-over session from the ended ones.
    session = await deps.sessions.getSession(session.tokenHash);
    if (!session || session.appId !== appId || isExpired(session.expiresAt, deps.clock())) throw new UnauthorizedError();
  }
  if (!user || user.appId !== appId || user.generation !== session.generation) throw new UnauthorizedError();
  if (!options.allowWithoutRequiredFactor && enforcementFor(app.publishedConfig, user, deps.clock()).kind === 'enforced') {
    throw new PolicyError('two_factor_required', 'This app requires two-factor authentication: link an authenticator app first.');
  }
  return { kind: 'session', session, user, app };
}

export async function authenticateAdmin(deps: Dependencies, appId: string, token: string | null): Promise<SessionPrincipal> {
  const principal = await authenticateSession(deps, appId, token);
  if (principal.user.role !== 'admin') throw new ForbiddenError('Only an admin of this app can do this.');
  return principal;
}

async function checkChallenge(
  deps: Dependencies,
  appId: string,
  challenge: Challenge | null,
  purpose: Challenge['purpose'],
): Promise<ChallengePrincipal> {
  if (
    !challenge ||
    challenge.appId !== appId ||
    challenge.purpose !== purpose ||
    challenge.failedAttempts >= maxAttemptsPerChallenge ||
    isExpired(challenge.expiresAt, deps.clock())
  ) {
    throw new ChallengeInvalidError();
  }
  const [user, app] = await Promise.all([deps.users.getUser(challenge.userId), requireApp(deps, appId)]);
  if (!user || user.appId !== appId || user.generation !== challenge.generation) throw new ChallengeInvalidError();
  return { kind: 'challenge', challenge, user, app };
}

/** The two enrollment calls accept a session or the challenge of `TWO_FACTOR_ENROLLMENT_REQUIRED`. */
export async function authenticateForEnrollment(
  deps: Dependencies,
  appId: string,
  token: string | null,
): Promise<SessionPrincipal | ChallengePrincipal> {
  if (!token) throw new UnauthorizedError('A session token or an enrollment challenge token is required.');
  const tokenHash = hashToken(token);
  const [session, challenge] = await Promise.all([deps.sessions.getSession(tokenHash), deps.sessions.getChallenge(tokenHash)]);
  if (session) return checkSession(deps, appId, session, { allowWithoutRequiredFactor: true });
  // Another app's enrollment challenge is no token here at all: answering challenge_invalid would tell its
  // holder what it is (API.md: a token of app A is worthless on app B).
  if (challenge && challenge.purpose === 'enrollment' && challenge.appId === appId)
    return checkChallenge(deps, appId, challenge, 'enrollment');
  throw new UnauthorizedError('A session token or an enrollment challenge token is required.');
}
