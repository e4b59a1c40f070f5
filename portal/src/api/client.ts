import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

/**
 * The portal's only way to the service: an openapi-fetch client typed with the types generated from the
 * service's OpenAPI document (docs/openapi.json → schema.ts by `npm run openapi`), so a call that does not
 * match the contract does not compile.
 */
export type Schemas = components['schemas'];
export type PasswordStepResult = Schemas['PasswordStepResult'];
export type SignedInWithSecondFactor = Schemas['SignedInWithSecondFactor'];
export type EnrollmentStarted = Schemas['EnrollmentStarted'];
export type EnrollmentConfirmed = Schemas['EnrollmentConfirmed'];
export type BackupCodes = Schemas['BackupCodes'];
export type Me = Schemas['Me'];
export type TwoFactorSettings = Schemas['TwoFactorSettings'];
export type TwoFactorMode = TwoFactorSettings['draft']['mode'];
export type Published = Schemas['Published'];
export type UsersPage = Schemas['UsersPage'];
export type UserSummary = Schemas['UserSummary'];
export type UserRow = Schemas['UserRow'];
export type Role = UserRow['role'];
/** The users table's 2FA filter (`GET /users?twoFactor=`): with 2FA, or without it yet. */
export type TwoFactorFilter = 'enrolled' | 'pending';
export type EnrollmentReport = Schemas['EnrollmentReport'];
export type Device = Schemas['Device'];
export type DeviceSummary = Schemas['Devices']['devices'][number];
export type SteppedUp = Schemas['SteppedUp'];
export type SettingsUpdate = Schemas['TwoFactorSettingsUpdate'];

/**
 * Where the portal keeps this browser's device token for the app (API.md, "Devices, step-up and
 * recovery"): sent with every login, replaced by the token of every answer that issues a session.
 */
export interface DeviceTokenStore {
  get(): string | null;
  save(token: string): void;
  forget(): void;
}

const noDeviceTokens: DeviceTokenStore = { get: () => null, save: () => undefined, forget: () => undefined };

/** API.md's error body, as the service sends it. */
interface ErrorBody {
  error: {
    code: string;
    message: string;
    attemptsRemaining?: number;
    retryAfterSeconds?: number;
    issues?: { path: string; message: string }[];
  };
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
  throw new ApiError(
    outcome.response.status,
    body?.error ?? { code: 'unexpected_response', message: `The service answered ${outcome.response.status}.` },
  );
}

/**
 * Runs one call, with its response (for its headers); a failure to reach the service becomes an ApiError
 * too, so screens handle one kind of error.
 */
async function attemptWithResponse<T>(call: () => Promise<Outcome<T>>): Promise<{ data: T; response: Response }> {
  let outcome: Outcome<T>;
  try {
    outcome = await call();
  } catch {
    throw new ApiError(0, { code: 'network_error', message: 'The service cannot be reached. Check your connection and try again.' });
  }
  return { data: unwrap(outcome), response: outcome.response };
}

async function attempt<T>(call: () => Promise<Outcome<T>>): Promise<T> {
  return (await attemptWithResponse(call)).data;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The service's HTTP API for one app, as the portal uses it. */
export class TwoFactorApi {
  private readonly client: ReturnType<typeof createClient<paths>>;
  private readonly path: { path: { appId: string } };

  constructor(
    readonly appId: string,
    baseUrl = '',
    /** This browser's device token: every login sends it, every answer that issues a session replaces it. */
    readonly deviceTokens: DeviceTokenStore = noDeviceTokens,
  ) {
    this.client = createClient<paths>({ baseUrl });
    this.path = { path: { appId } };
  }

  /** Keeps the device of an answer that issued a session (the service may rotate its token). */
  private keepDevice<T extends object>(answer: T): T {
    const device = 'device' in answer ? (answer.device as Device | undefined) : undefined;
    if (device) this.deviceTokens.save(device.token);
    return answer;
  }

  async signUp(email: string, password: string): Promise<PasswordStepResult> {
    return this.keepDevice(
      await attempt(() => this.client.POST('/v1/apps/{appId}/signup', { params: this.path, body: { email, password } })),
    );
  }

  async logIn(email: string, password: string): Promise<PasswordStepResult> {
    const deviceToken = this.deviceTokens.get();
    return this.keepDevice(
      await attempt(() =>
        this.client.POST('/v1/apps/{appId}/login', {
          params: this.path,
          body: { email, password, ...(deviceToken ? { deviceToken } : {}) },
        }),
      ),
    );
  }

  /** `rememberDevice`: the user ticked "Trust this browser" (the service remembers it only when the app allows it). */
  async verifyLogin(
    challengeToken: string,
    factor: { code: string } | { backupCode: string },
    rememberDevice = false,
  ): Promise<SignedInWithSecondFactor> {
    return this.keepDevice(
      await attempt(() =>
        this.client.POST('/v1/apps/{appId}/login/verify', {
          params: this.path,
          body: { challengeToken, ...factor, ...(rememberDevice ? { rememberDevice: true } : {}) },
        }),
      ),
    );
  }

  /** With a session, or with the challenge of TWO_FACTOR_ENROLLMENT_REQUIRED. */
  startEnrollment(token: string): Promise<EnrollmentStarted> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/2fa/enrollment', { params: this.path, headers: bearer(token) }));
  }

  /** Confirming with an enrollment challenge also issues a session, and with it a device. */
  async confirmEnrollment(token: string, code: string): Promise<EnrollmentConfirmed> {
    return this.keepDevice(
      await attempt(() =>
        this.client.POST('/v1/apps/{appId}/2fa/enrollment/confirm', { params: this.path, headers: bearer(token), body: { code } }),
      ),
    );
  }

  /** Asks for JSON (the route can also answer with the .txt itself, for `Accept: text/plain`). */
  async regenerateBackupCodes(token: string, code: string): Promise<BackupCodes> {
    const codes = await attempt(() =>
      this.client.POST('/v1/apps/{appId}/2fa/backup-codes', {
        params: this.path,
        headers: { ...bearer(token), Accept: 'application/json' },
        body: { code },
      }),
    );
    if (typeof codes === 'string')
      throw new ApiError(200, { code: 'unexpected_response', message: 'The service answered with a file instead of JSON.' });
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

  /** Ends every session of the user and forgets every device, this browser's too. */
  async logOutEverywhere(token: string): Promise<void> {
    await attempt(() => this.client.POST('/v1/apps/{appId}/logout/all', { params: this.path, headers: bearer(token) }));
    this.deviceTokens.forget();
  }

  listDevices(token: string): Promise<Schemas['Devices']> {
    return attempt(() => this.client.GET('/v1/apps/{appId}/2fa/devices', { params: this.path, headers: bearer(token) }));
  }

  /** Forgets a device; forgetting this browser's own also drops its token here. */
  async forgetDevice(token: string, device: Pick<DeviceSummary, 'id' | 'current'>): Promise<void> {
    await attempt(() =>
      this.client.DELETE('/v1/apps/{appId}/2fa/devices/{deviceId}', {
        params: { path: { appId: this.appId, deviceId: device.id } },
        headers: bearer(token),
      }),
    );
    if (device.current) this.deviceTokens.forget();
  }

  /** Proves the second factor again, so the session may weaken an account or the app for 10 minutes. */
  stepUp(token: string, factor: { code: string } | { backupCode: string }): Promise<SteppedUp> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/2fa/step-up', { params: this.path, headers: bearer(token), body: factor }));
  }

  twoFactorSettings(token: string): Promise<TwoFactorSettings> {
    return attempt(() => this.client.GET('/v1/apps/{appId}/settings/two-factor', { params: this.path, headers: bearer(token) }));
  }

  updateTwoFactorSettings(token: string, settings: SettingsUpdate): Promise<TwoFactorSettings> {
    return attempt(() =>
      this.client.PUT('/v1/apps/{appId}/settings/two-factor', { params: this.path, headers: bearer(token), body: settings }),
    );
  }

  publish(token: string): Promise<Published> {
    return attempt(() => this.client.POST('/v1/apps/{appId}/publish', { params: this.path, headers: bearer(token) }));
  }

  /** `twoFactor`: only the users with 2FA (`enrolled`) or without it yet (`pending`); absent, everyone. */
  listUsers(token: string, cursor?: string, twoFactor?: TwoFactorFilter): Promise<UsersPage> {
    return attempt(() =>
      this.client.GET('/v1/apps/{appId}/users', {
        params: { path: { appId: this.appId }, query: { limit: 50, ...(cursor ? { cursor } : {}), ...(twoFactor ? { twoFactor } : {}) } },
        headers: bearer(token),
      }),
    );
  }

  twoFactorReport(token: string): Promise<EnrollmentReport> {
    return attempt(() => this.client.GET('/v1/apps/{appId}/reports/two-factor', { params: this.path, headers: bearer(token) }));
  }

  /**
   * The whole users table as one CSV file: the service answers in parts (each with the header line) and
   * names the next in `X-Next-Cursor`, so this follows every part and keeps the header once.
   */
  async exportUsersCsv(token: string): Promise<{ filename: string; content: string }> {
    let filename = `users-${this.appId}.csv`;
    let header = '';
    let content = '';
    let cursor: string | undefined;
    do {
      const part = await attemptWithResponse(() =>
        this.client.GET('/v1/apps/{appId}/users.csv', {
          params: { path: { appId: this.appId }, query: { limit: 1000, ...(cursor ? { cursor } : {}) } },
          headers: bearer(token),
          parseAs: 'text',
        }),
      );
      const text = part.data;
      if (!header) {
        const headerEnd = text.indexOf('\r\n');
        header = headerEnd >= 0 ? text.slice(0, headerEnd + 2) : text;
        content = text;
        filename = /filename="([^"]+)"/.exec(part.response.headers.get('Content-Disposition') ?? '')?.[1] ?? filename;
      } else content += text.startsWith(header) ? text.slice(header.length) : text;
      cursor = part.response.headers.get('X-Next-Cursor') ?? undefined;
    } while (cursor);
    return { filename, content };
  }

  /** `reasonInternal`: the audit log keeps the reason, the user's security email leaves it out. */
  resetUserTwoFactor(token: string, userId: string, reason?: string, reasonInternal = false): Promise<Schemas['UserReset']> {
    return attempt(() =>
      this.client.POST('/v1/apps/{appId}/users/{userId}/2fa/reset', {
        params: { path: { appId: this.appId, userId } },
        headers: bearer(token),
        body: reason ? { reason, ...(reasonInternal ? { reasonInternal: true } : {}) } : {},
      }),
    );
  }

  unlockUser(token: string, userId: string): Promise<Schemas['UserReset']> {
    return attempt(() =>
      this.client.POST('/v1/apps/{appId}/users/{userId}/unlock', {
        params: { path: { appId: this.appId, userId } },
        headers: bearer(token),
      }),
    );
  }
}
