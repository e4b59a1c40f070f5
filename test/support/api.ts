import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { randomBytes } from 'node:crypto';
import { awayFromStepBoundary, currentStep, totpCode } from './authenticator.js';
import { recordSensitiveValues, sensitiveValuesOf } from './leak-scan.js';
import { decodeQrDataUrl } from './qr.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, for malformed or oversized bodies. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export function apiUrl(): string {
  const url = process.env.TWOFA_API_URL;
  if (!url) throw new Error('TWOFA_API_URL is not set: run the integration tests through jest (its global setup starts the stack)');
  return url;
}

/**
 * One HTTP call to the running local stack. Every password, code, token, backup code and TOTP secret it
 * sends or receives goes to the test run's ledger, for the "nothing leaks" scan after the suite.
 */
export async function call<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${apiUrl()}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json') && text) parsed = JSON.parse(text);
  recordSensitiveValues(sensitiveValuesOf({ request: requestBodyOf(body), status: response.status, response: parsed, responseText: text }));
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

function requestBodyOf(body: string | undefined): unknown {
  try {
    return body === undefined ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** What a platform function answered: its result, or the Lambda function error it raised. */
export interface PlatformAnswer<T> {
  result?: T;
  error?: { errorType: string; errorMessage: string };
}

/** The platform functions through the real Lambda client, against the local Invoke endpoint. */
export async function invokePlatform<T = any>(functionName: string, payload: unknown): Promise<PlatformAnswer<T>> {
  const client = new LambdaClient({
    endpoint: process.env.TWOFA_LAMBDA_URL,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const response = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
    const body = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8') || 'null');
    if (!response.FunctionError) recordSensitiveValues(sensitiveValuesOf({ request: payload, status: 200 }));
    return response.FunctionError ? { error: body } : { result: body as T };
  } finally {
    client.destroy();
  }
}

export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: process.env.TWOFA_DYNAMODB_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.test`;
}

export const password = 'correct horse battery staple';

export interface TestApp {
  appId: string;
  name: string;
  adminEmail: string;
  adminToken: string;
}

/** A fresh app per test file (created by the platform function), so files never share state. */
export async function createTestApp(
  options: { name?: string; plan?: 'free' | 'pro' | 'business' | 'enterprise'; mode?: 'off' | 'optional' | 'required' } = {},
): Promise<TestApp> {
  const name = options.name ?? `Test Portal ${randomBytes(3).toString('hex')}`;
  const adminEmail = uniqueEmail('admin');
  const created = await invokePlatform<{ appId: string }>('createApp', {
    name,
    plan: options.plan ?? 'enterprise',
    adminEmail,
    adminPassword: password,
  });
  if (!created.result) throw new Error(`createApp failed: ${JSON.stringify(created.error)}`);
  const appId = created.result.appId;
  const login = await call('POST', `/v1/apps/${appId}/login`, { body: { email: adminEmail, password } });
  const app: TestApp = { appId, name, adminEmail, adminToken: login.body.session.token };
  if (options.mode && options.mode !== 'off') await publishMode(app, options.mode);
  return app;
}

export async function publishMode(app: TestApp, mode: 'off' | 'optional' | 'required'): Promise<void> {
  const put = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: { mode } });
  if (put.status !== 200) throw new Error(`settings PUT failed: ${put.text}`);
  const published = await call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });
  if (published.status !== 200) throw new Error(`publish failed: ${published.text}`);
}

export interface EnrolledUser {
  email: string;
  userId: string;
  secret: string;
  backupCodes: string[];
  /** The session from sign-up (optional mode) or from confirming (required mode). */
  sessionToken: string;
  /** The step the confirmation code spent. */
  confirmedStep: number;
  /** The device token of the answer that issued `sessionToken` (sign-up's, or the confirmation's). */
  deviceToken: string;
}

/** The last time step each secret's codes were sent for, so `nextCode` never repeats one. */
const lastStepOf = new Map<string, number>();

/**
 * A code the service has not accepted yet for this authenticator: the oldest step of the ±1 window newer
 * than the last one used, waiting for the window to move when all three are spent.
 */
export async function nextCode(user: { secret: string; confirmedStep: number }): Promise<string> {
  await awayFromStepBoundary();
  let step = Math.max((lastStepOf.get(user.secret) ?? user.confirmedStep) + 1, currentStep() - 1);
  if (step > currentStep() + 1) {
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * 30_000 - Date.now() + 100));
    await awayFromStepBoundary();
    step = Math.max(step, currentStep() - 1);
  }
  lastStepOf.set(user.secret, step);
  return totpCode(user.secret, step);
}

/** Signs up and enrolls a user the way a person does: scan the QR code, type the code, keep the codes. */
export async function signUpAndEnroll(app: TestApp, email = uniqueEmail()): Promise<EnrolledUser> {
  const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.text}`);
  const token: string = signup.body.status === 'SIGNED_IN' ? signup.body.session.token : signup.body.challenge.token;
  const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
  if (enrollment.status !== 201) throw new Error(`enrollment failed: ${enrollment.text}`);
  const secret = new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
  await awayFromStepBoundary();
  const confirmedStep = currentStep() - 1;
  const confirm = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, {
    token,
    body: { code: totpCode(secret, confirmedStep) },
  });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.text}`);
  const me = await call('GET', `/v1/apps/${app.appId}/me`, { token: confirm.body.session?.token ?? token });
  return {
    email,
    userId: me.body.user.id,
    secret,
    backupCodes: confirm.body.backupCodes,
    sessionToken: confirm.body.session?.token ?? token,
    confirmedStep,
    deviceToken: confirm.body.device?.token ?? signup.body.device.token,
  };
}

/**
 * Signs a user up with the test password, as a person does. `token` is the sign-up's session or, under the
 * `required` mode, its enrollment challenge (whose answer names no user: the id comes from the table then).
 */
export async function signUp(app: TestApp, email = uniqueEmail()): Promise<{ email: string; userId: string; token: string }> {
  const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.text}`);
  const client = documentClient();
  try {
    const userId: string =
      signup.body.user?.id ??
      (await client.send(new GetCommand({ TableName: process.env.TWOFA_TABLE_NAME, Key: keys.emailClaim(app.appId, email) }))).Item!.userId;
    return { email, userId, token: signup.body.session?.token ?? signup.body.challenge.token };
  } finally {
    client.destroy();
  }
}

/** Password step of a login; returns the challenge token of TWO_FACTOR_REQUIRED. */
export async function loginChallenge(app: TestApp, email: string): Promise<string> {
  const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
  if (login.body.status !== 'TWO_FACTOR_REQUIRED') throw new Error(`expected TWO_FACTOR_REQUIRED, got ${login.text}`);
  return login.body.challenge.token;
}
