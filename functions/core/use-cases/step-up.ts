import { catalogue, ConditionFailedError, ForbiddenError, StepUpRequiredError, UnauthorizedError } from '../errors.js';
import { findHash, hashBackupCode } from '../hashing.js';
import { normalizeBackupCode } from '../backup-codes.js';
import type { Assurance } from '../model.js';
import type { Dependencies } from '../ports.js';
import { type SessionPrincipal, authenticateSession } from './authenticate.js';
import { auditEvent } from './common.js';
import { refuseCode, reserveAttempt, withCurrentCode, withReservedAttempt } from './second-factor.js';

/** How long a proven second factor lets a session weaken an account or an app. */
const stepUpWindowMs = 10 * 60 * 1000;

export interface SteppedUp {
  session: { token: string; expiresAt: string; assurance: Assurance; stepUpExpiresAt: string };
}

/**
 * Refuses an action that weakens an account or an app (an admin's reset or unlock, a lower mode, devices
 * remembered longer) unless the caller's session proved a second factor in the last 10 minutes, when the
 * caller has one. A session alone (stolen, or left open) cannot strip anyone's 2FA.
 */
export function requireRecentSecondFactor(deps: Dependencies, principal: SessionPrincipal): void {
  if (!principal.user.twoFactorEnabled) return;
  const provedAt = principal.session.secondFactorAt;
  if (provedAt === null || deps.clock() - provedAt >= stepUpWindowMs) throw new StepUpRequiredError();
}

/** No admin route acts on the caller's own account: a user turns their own 2FA off with a code. */
export function refuseOwnAccount(principal: SessionPrincipal, userId: string): void {
  if (principal.user.id === userId) {
    throw new ForbiddenError(
      'Admins cannot reset or unlock their own account: another admin of the app can. To turn your own 2FA off, use the user menu and a code.',
    );
  }
}

/**
 * Proves the second factor again within a session (a code from the authenticator app or a backup code):
 * the session may then weaken the account or the app for 10 minutes. The code is spent as at login (one
 * acceptance per time step, each backup code once) and counted against the account (see `withCurrentCode`).
 */
export async function stepUp(
  deps: Dependencies,
  input: { appId: string; token: string | null } & ({ code: string } | { backupCode: string }),
): Promise<SteppedUp> {
  const principal = await authenticateSession(deps, input.appId, input.token);
  const { user, session } = principal;
  const at = deps.clock();
  const answer = (): SteppedUp => ({
    session: {
      token: input.token ?? '',
      expiresAt: new Date(session.expiresAt * 1000).toISOString(),
      assurance: 'two_factor',
      stepUpExpiresAt: new Date(at + stepUpWindowMs).toISOString(),
    },
  });
  const lostSession = (error: unknown): never => {
    // The user changed since the session was read (a reset, a sign-out everywhere): the session is dead.
    if (error instanceof ConditionFailedError && error.reason === 'user_changed') throw new UnauthorizedError();
    throw error;
  };

  if ('code' in input) {
    return withCurrentCode(deps, principal, input.code, async (step, attempt) => {
      await deps.sessions
        .stepUp({ user, session, secondFactorAt: at, proof: { step }, countedOn: attempt.countedOn, audit: null })
        .catch(lostSession);
      return answer();
    });
  }

  const attempt = user.twoFactorEnabled ? await reserveAttempt(deps, user) : null;
  if (!attempt) throw catalogue.notEnrolled();
  return withReservedAttempt(attempt, async () => {
    const normalized = normalizeBackupCode(input.backupCode);
    const codeSet = await deps.users.getBackupCodeSet(user.id);
    const codeHash = normalized && codeSet ? findHash(await hashBackupCode(normalized, codeSet.salt), codeSet.remainingHashes) : undefined;
    if (!codeSet || !codeHash) return refuseCode(deps, user, attempt);
    const audit = auditEvent(deps, user.appId, 'backup_code.used', user.id, user.id, {
      backupCodesRemaining: codeSet.remainingHashes.length - 1,
      stepUp: true,
    });
    try {
      await deps.sessions.stepUp({
        user,
        session,
        secondFactorAt: at,
        proof: { setId: codeSet.setId, codeHash },
        countedOn: attempt.countedOn,
        audit,
      });
    } catch (error) {
      if (error instanceof ConditionFailedError && error.reason === 'backup_code_used') return refuseCode(deps, user, attempt);
      return lostSession(error);
    }
    return answer();
  });
}
