import { type ApiResponse, type TestApp, call, loginChallenge } from './api.js';

/** How many requests each race sends at once (issue 3: "tests with 50 parallel requests each"). */
export const parallelRequests = 50;

/** Starts `count` requests at once and waits for all of them. */
export function inParallel<T>(count: number, send: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => send(index)));
}

export function isError(answer: ApiResponse, status: number, code: string): boolean {
  return answer.status === status && answer.body?.error?.code === code;
}

/** A refusal of a code that was checked and counted: wrong (or replayed), or locked out by such failures. */
export function isCountedRefusal(answer: ApiResponse): boolean {
  return isError(answer, 401, 'invalid_code') || isError(answer, 429, 'too_many_attempts');
}

/** Every user of the app, through the admin's paginated listing. */
export async function allUsers(app: TestApp): Promise<{ id: string; email: string; twoFactorSetupComplete: boolean }[]> {
  const users: { id: string; email: string; twoFactorSetupComplete: boolean }[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await call('GET', `/v1/apps/${app.appId}/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      token: app.adminToken,
    });
    if (page.status !== 200) throw new Error(`users listing failed: ${page.text}`);
    users.push(...page.body.users);
    cursor = page.body.nextCursor;
  } while (cursor);
  return users;
}

/**
 * The password step counts each attempt against the account before it checks the password, so ten logins
 * at once would lock the account as ten wrong passwords do (see password-lockout.test.ts). Races that need
 * many challenges for one user ask for them this many at a time.
 */
const passwordAttemptsAtOnce = 8;

/** `count` login challenges (TWO_FACTOR_REQUIRED) for one enrolled user. */
export async function loginChallenges(app: TestApp, email: string, count: number): Promise<string[]> {
  const challenges: string[] = [];
  while (challenges.length < count) {
    challenges.push(...(await inParallel(Math.min(passwordAttemptsAtOnce, count - challenges.length), () => loginChallenge(app, email))));
  }
  return challenges;
}
