import { awayFromStepBoundary, currentStep, totpCode } from '../support/authenticator.js';
import {
  type ApiResponse,
  type TestApp,
  call,
  createTestApp,
  loginChallenge,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { allUsers, inParallel, isCountedRefusal, isError, loginChallenges, parallelRequests } from '../support/parallel.js';
import { decodeQrDataUrl } from '../support/qr.js';
import { everythingOf, sessionsOf, storedItem } from '../support/table.js';

/**
 * Races on an account's one-time things, 50 requests at a time: creating it, spending one of its backup
 * codes, enabling its second factor, and an admin's reset while its owner signs in. Exactly the allowed
 * outcome, every time.
 */
describe('account races', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'enterprise', mode: 'optional' });
  });

  it('creates exactly one account from 50 parallel sign-ups with one email', async () => {
    const email = uniqueEmail('race');

    const answers = await inParallel(parallelRequests, () => call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } }));

    const winners = answers.filter((answer) => answer.status === 201);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => isError(answer, 409, 'email_taken'))).toHaveLength(parallelRequests - 1);
    const userId = winners[0]!.body.user.id;
    expect((await storedItem(`EMAIL#${app.appId}#${email}`, 'EMAIL'))!.userId).toBe(userId);
    expect((await allUsers(app)).filter((user) => user.email === email).map((user) => user.id)).toEqual([userId]);
    // Only the winner's session was written: no loser left one behind.
    expect(await sessionsOf(userId)).toHaveLength(1);
    expect((await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } })).body.user.id).toBe(userId);
  });

  it('lets exactly one of 50 parallel logins with one backup code succeed', async () => {
    const user = await signUpAndEnroll(app);
    const challenges = await loginChallenges(app, user.email, parallelRequests);

    const answers = await Promise.all(
      challenges.map((challengeToken) =>
        call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, backupCode: user.backupCodes[0] } }),
      ),
    );

    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.body.backupCodesRemaining).toBe(9);
    expect(answers.filter((answer) => isCountedRefusal(answer))).toHaveLength(parallelRequests - 1);
    expect(Object.keys((await storedItem(`USER#${user.userId}`, 'BACKUP_CODES'))!.codes)).toHaveLength(9);
    expect((await sessionsOf(user.userId)).filter((session) => session.assurance === 'two_factor')).toHaveLength(1);
  });

  it('enables the factor once, with one backup code set, when 50 confirmations with one code arrive at once', async () => {
    const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: uniqueEmail(), password } });
    const token: string = signup.body.session.token;
    const userId: string = signup.body.user.id;
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
    const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
    await awayFromStepBoundary();
    const code = totpCode(secret);

    const answers = await inParallel(parallelRequests, () =>
      call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token, body: { code } }),
    );

    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.body.status).toBe('ENABLED');
    // A loser found the code's time step taken, the pending secret spent, or the factor enabled.
    const losers = answers.filter(
      (answer) => isError(answer, 401, 'invalid_code') || isError(answer, 409, 'not_enrolled') || isError(answer, 409, 'already_enabled'),
    );
    expect(losers).toHaveLength(parallelRequests - 1);
    const stored = await everythingOf(userId);
    expect(stored.filter((item) => item.sk === 'TOTP')).toHaveLength(1);
    expect(stored.filter((item) => item.sk === 'TOTP#PENDING')).toHaveLength(0);
    expect(stored.filter((item) => item.sk === 'BACKUP_CODES').map((item) => Object.keys(item.codes).length)).toEqual([10]);
    expect(stored.filter((item) => item.type === 'two_factor.enrolled')).toHaveLength(1);
    // The stored set is the one the winner handed out.
    const signedIn = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, signup.body.user.email), backupCode: winners[0]!.body.backupCodes[3] },
    });
    expect([signedIn.status, signedIn.body.backupCodesRemaining]).toEqual([200, 9]);
  });

  it('leaves no live session to any verify racing an admin reset of the same user', async () => {
    const user = await signUpAndEnroll(app);
    const challenges = await loginChallenges(app, user.email, parallelRequests);
    await awayFromStepBoundary();
    const now = currentStep();
    // Ten distinct backup codes and the three acceptable time steps: many verifies can win on their own.
    const secondFactor = (index: number) =>
      index < 10 ? { backupCode: user.backupCodes[index] } : { code: totpCode(user.secret, now - 1 + (index % 3)) };
    let resetSent!: () => void;
    const firstWin = new Promise<void>((resolve) => (resetSent = resolve));

    const verifying = inParallel(parallelRequests, async (index) => {
      const answer = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
        body: { challengeToken: challenges[index], ...secondFactor(index) },
      });
      if (answer.status === 200) resetSent();
      return answer;
    });
    // The reset goes out as soon as one verify has won, while the others are still in flight.
    const reset = firstWin.then(() =>
      call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken, body: { reason: 'race' } }),
    );
    const answers = await verifying;
    // Resolves the reset even if no verify won, so the expectations below report it instead of a timeout.
    resetSent();
    const resetAnswer = await reset;

    expect(resetAnswer.status).toBe(200);
    expect(answers.every((answer) => answer.status === 200 || isRefusal(answer))).toBe(true);
    const sessionTokens = answers.filter((answer) => answer.status === 200).map((answer) => answer.body.session.token as string);
    expect(sessionTokens.length).toBeGreaterThanOrEqual(1);
    for (const token of [...sessionTokens, user.sessionToken]) {
      expect((await call('GET', `/v1/apps/${app.appId}/me`, { token })).status).toBe(401);
    }
    // Nothing minted under the new generation, returned or not: every stored session predates the reset.
    const profile = (await storedItem(`USER#${user.userId}`, 'PROFILE'))!;
    expect((await sessionsOf(user.userId)).filter((session) => session.generation >= profile.generation)).toEqual([]);
    expect([
      profile.twoFactorEnabled,
      await storedItem(`USER#${user.userId}`, 'TOTP'),
      await storedItem(`USER#${user.userId}`, 'BACKUP_CODES'),
    ]).toEqual([false, undefined, undefined]);
    // The challenges that did not win died with the reset as well.
    const late = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: challenges[parallelRequests - 1], code: totpCode(user.secret, now + 1) },
    });
    expect(isError(late, 401, 'challenge_invalid')).toBe(true);
  });
});

/** What a verify that lost (to another verify, to the lockout, or to the reset) may answer. */
function isRefusal(answer: ApiResponse): boolean {
  return (
    ['invalid_code', 'challenge_invalid', 'too_many_attempts'].includes(answer.body?.error?.code) && [401, 429].includes(answer.status)
  );
}
