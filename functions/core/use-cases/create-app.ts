import { ConditionFailedError, ConflictError, DomainError } from '../errors.js';
import { hashPassword } from '../hashing.js';
import type { App, Plan, PublishedConfig, User } from '../model.js';
import type { Dependencies } from '../ports.js';
import { newId } from '../tokens.js';
import { auditEvent, normalizeEmail } from './common.js';
import { nothingSet } from './two-factor-settings.js';

export interface CreateAppInput {
  name: string;
  plan: Plan;
  adminEmail: string;
  adminPassword: string;
  /** Browser origins allowed to call the app's API (CORS); none when absent. */
  allowedOrigins?: string[];
  /** Fixed id for seeding (the local `demo` app); generated when absent. */
  appId?: string;
  /** Also publish version 1 of the config (mode `off`) at once, as the seeded demo app is. */
  publishInitialConfig?: boolean;
}

/** Creates an app with its own KMS data key, an `off` draft, and its first admin. */
export async function createApp(deps: Dependencies, input: CreateAppInput): Promise<{ appId: string; adminUserId: string }> {
  const appId = input.appId ?? newId('app');
  const now = new Date(deps.clock()).toISOString();
  const dataKey = await deps.secrets.createDataKey(appId);
  const app: App = {
    id: appId,
    name: input.name,
    plan: input.plan,
    createdAt: now,
    dataKeyId: dataKey.keyId,
    allowedOrigins: [...new Set(input.allowedOrigins ?? [])],
  };
  const admin: User = {
    id: newId('usr'),
    appId,
    email: normalizeEmail(input.adminEmail),
    role: 'admin',
    createdAt: now,
    passwordHash: await hashPassword(input.adminPassword),
    generation: 0,
    deviceGeneration: 0,
    rememberGeneration: 0,
    twoFactorEnabled: false,
    twoFactorEnabledAt: null,
  };
  const publishedConfig: PublishedConfig | null = input.publishInitialConfig
    ? { version: 1, ...nothingSet, requiredSince: {}, publishedAt: now }
    : null;
  try {
    await deps.apps.createApp({
      app,
      draft: { ...nothingSet, updatedAt: now },
      wrappedDataKey: dataKey.wrappedKey,
      admin,
      publishedConfig,
      audit: auditEvent(deps, appId, 'app.created', 'platform', admin.id, { plan: input.plan }),
    });
  } catch (error) {
    if (error instanceof ConditionFailedError && error.reason === 'email_taken')
      throw new ConflictError('email_taken', 'That admin email is taken.');
    if (error instanceof ConditionFailedError)
      throw new DomainError('validation_error', `An app with id "${appId}" already exists.`, {
        issues: [{ path: 'appId', message: 'already exists' }],
      });
    throw error;
  }
  return { appId, adminUserId: admin.id };
}
