import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

/**
 * The portal's only way to the service: an openapi-fetch client typed with the types generated from the
 * service's OpenAPI document (docs/openapi.json → schema.ts by `npm run openapi`), so a call that does not
 * match the contract does not compile.
 */
export type Schemas = components['schemas'];
export type PasswordStepResult = Schemas['PasswordStepResult'];
export type SignedInWithOffer = Schemas['SignedInWithOffer'];
export type SignedInWithSecondFactor = Schemas['SignedInWithSecondFactor'];
export type ChallengeIssued = Schemas['ChallengeIssued'];
export type EnrollmentStarted = Schemas['EnrollmentStarted'];
export type EnrollmentConfirmed = Schemas['EnrollmentConfirmed'];
export type BackupCodes = Schemas['BackupCodes'];
export type Me = Schemas['Me'];
export type TwoFactorSettings = Schemas['TwoFactorSettings'];
export type TwoFactorMode = TwoFactorSettings['draft']['mode'];
export type Published = Schemas['Published'];
export type UsersPage = Schemas['UsersPage'];
export type UserSummary = Schemas['UserSummary'];

/** API.md's error body, as the service sends it. */
interface ErrorBody {
  error: { code: string; message: string; attemptsRemaining?: number; retryAfterSeconds?: number; issues?: { path: string; message: string }[] };
}

/** A refusal of the service (or an unreachable service: status 0, code `network_error`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly attemptsRemaining: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly issues: { path: string; message: string }[];

  constructor(status: number, body: ErrorBody['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.attemptsRemaining = body.attemptsRemaining;
    this.retryAfterSeconds = body.retryAfterSeconds;
    this.issues = body.issues ?? [];
  }
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.response.ok) return outcome.data as T;
  const body = outcome.error as Partial<ErrorBody> | undefined;
  throw new ApiError(outcome.response.status, body?.error ?? { code: 'unexpected_response', message: `The service answered ${outcome.response.status}.` });
}

/** Runs one call; a failure to reach the service becomes an ApiError too, so screens handle one kind of error. */
async function attempt<T>(call: () => Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call();
  } catch {
    throw new ApiError(0, { code: 'network_error', message: 'The service cannot be reached. Check your connection and try again.' });
  }
  return unwrap(outcome);
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The service's HTTP API for one app, as the portal uses it. */
export class TwoFactorApi {
  private readonly client: ReturnType<typeof createClient<paths>>;
  private readonly path: { path: { appId: string } };

  constructor(readonly appId: string, baseUrl = '') {
    this.client = createClient<paths>({ baseUrl });
    this.path = { path: { appId } };
  }

  signUp(email: string, password: string): Promise<PasswordStepResult> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/signup', { params: this.path, body: { email, password } }));
  }

  logIn(email: string, password: string): Promise<PasswordStepResult> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/login', { params: this.path, body: { email, password } }));
  }

  verifyLogin(challengeToken: string, factor: { code: string } | { backupCode: string }): Promise<SignedInWithSecondFactor> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/login/verify', { params: this.path, body: { challengeToken, ...factor } }));
  }

  /** With a session, or with the challenge of TWO_FACTOR_ENROLLMENT_REQUIRED. */
  startEnrollment(token: string): Promise<EnrollmentStarted> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/2fa/enrollment', { params: this.path, headers: bearer(token) }));
  }

  confirmEnrollment(token: string, code: string): Promise<EnrollmentConfirmed> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/2fa/enrollment/confirm', { params: this.path, headers: bearer(token), body: { code } }));
  }

  /** Asks for JSON (the route can also answer with the .txt itself, for `Accept: text/plain`). */
  async regenerateBackupCodes(token: string, code: string): Promise<BackupCodes> {
    const codes = await attempt(() =>
      this.client.POST('/v1/apps/{appId}/2fa/backup-codes', { params: this.path, headers: { ...bearer(token), Accept: 'application/json' }, body: { code } }),
    );
    if (typeof codes === 'string') throw new ApiError(200, { code: 'unexpected_response', message: 'The service answered with a file instead of JSON.' });
    return codes;
  }

  disableTwoFactor(token: string, code: string): Promise<Schemas['TwoFactorDisabled']> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/2fa/disable', { params: this.path, headers: bearer(token), body: { code } }));
  }

  me(token: string): Promise<Me> {
    return attempt(() => this.client.GET('/v1/apps/{appId}/me', { params: this.path, headers: bearer(token) }));
  }

  async logOut(token: string): Promise<void> {
    await attempt(() => this.client.POST('/v1/apps/{appId}/logout', { params: this.path, headers: bearer(token) }));
  }

  twoFactorSettings(token: string): Promise<TwoFactorSettings> {
    return attempt(() => this.client.GET('/v1/apps/{appId}/settings/two-factor', { params: this.path, headers: bearer(token) }));
  }

  updateTwoFactorSettings(token: string, mode: TwoFactorMode): Promise<TwoFactorSettings> {
    return attempt(() => this.client.PUT('/v1/apps/{appId}/settings/two-factor', { params: this.path, headers: bearer(token), body: { mode } }));
  }

  publish(token: string): Promise<Published> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/publish', { params: this.path, headers: bearer(token) }));
  }

  listUsers(token: string, cursor?: string): Promise<UsersPage> {
    return attempt(() =>
      this.client.GET('/v1/apps/{appId}/users', { params: { path: { appId: this.appId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } }, headers: bearer(token) }),
    );
  }

  resetUserTwoFactor(token: string, userId: string, reason?: string): Promise<Schemas['UserReset']> {
    return attempt(() =>
      this.client.POST('/v1/apps/{appId}/users/{userId}/2fa/reset', {
        params: { path: { appId: this.appId, userId } },
        headers: bearer(token),
        body: reason ? { reason } : {},
      }),
    );
  }
}
