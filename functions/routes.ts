/**
 * The service's deployable steps: one Lambda handler module per entry, at `functions/<step>/handler.ts`.
 *
 * This is plain data shared by the CDK stacks (one function per step, granted only `access`) and by the
 * local server (which routes HTTP requests to the very same handler modules), so the two cannot drift.
 */

/** What a step needs from the table and from KMS; the stacks grant exactly this and nothing more. */
export interface StepAccess {
  table: 'none' | 'read' | 'readWrite';
  /** `decrypt` unwraps an app's data key; `generateDataKey` creates one (app creation) and nothing else. */
  kms: 'none' | 'decrypt' | 'generateDataKey';
}

export interface HttpStep {
  step: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  /** API Gateway route path with `{param}` placeholders. */
  path: string;
  access: StepAccess;
}

export interface PlatformStep {
  step: string;
  /** The name used by `npm run cli` and by the local Lambda Invoke endpoint. */
  functionName: 'createApp' | 'setPlan' | 'resetTwoFactor' | 'setAllowedOrigins';
  access: StepAccess;
}

const readOnly: StepAccess = { table: 'read', kms: 'none' };
const readWrite: StepAccess = { table: 'readWrite', kms: 'none' };
const withSecrets: StepAccess = { table: 'readWrite', kms: 'decrypt' };

export const httpSteps: readonly HttpStep[] = [
  { step: 'health', method: 'GET', path: '/v1/health', access: { table: 'none', kms: 'none' } },
  { step: 'openapi', method: 'GET', path: '/v1/openapi.json', access: { table: 'none', kms: 'none' } },
  { step: 'signup', method: 'POST', path: '/v1/apps/{appId}/signup', access: readWrite },
  { step: 'login', method: 'POST', path: '/v1/apps/{appId}/login', access: readWrite },
  { step: 'login-verify', method: 'POST', path: '/v1/apps/{appId}/login/verify', access: withSecrets },
  { step: 'enrollment-start', method: 'POST', path: '/v1/apps/{appId}/2fa/enrollment', access: withSecrets },
  { step: 'enrollment-confirm', method: 'POST', path: '/v1/apps/{appId}/2fa/enrollment/confirm', access: withSecrets },
  { step: 'backup-codes', method: 'POST', path: '/v1/apps/{appId}/2fa/backup-codes', access: withSecrets },
  { step: 'disable', method: 'POST', path: '/v1/apps/{appId}/2fa/disable', access: withSecrets },
  { step: 'me', method: 'GET', path: '/v1/apps/{appId}/me', access: readOnly },
  { step: 'logout', method: 'POST', path: '/v1/apps/{appId}/logout', access: readWrite },
  { step: 'logout-all', method: 'POST', path: '/v1/apps/{appId}/logout/all', access: readWrite },
  { step: 'step-up', method: 'POST', path: '/v1/apps/{appId}/2fa/step-up', access: withSecrets },
  { step: 'devices-list', method: 'GET', path: '/v1/apps/{appId}/2fa/devices', access: readOnly },
  { step: 'device-forget', method: 'DELETE', path: '/v1/apps/{appId}/2fa/devices/{deviceId}', access: readWrite },
  { step: 'settings-get', method: 'GET', path: '/v1/apps/{appId}/settings/two-factor', access: readOnly },
  { step: 'settings-put', method: 'PUT', path: '/v1/apps/{appId}/settings/two-factor', access: readWrite },
  { step: 'publish', method: 'POST', path: '/v1/apps/{appId}/publish', access: readWrite },
  { step: 'users-list', method: 'GET', path: '/v1/apps/{appId}/users', access: readOnly },
  { step: 'users-csv', method: 'GET', path: '/v1/apps/{appId}/users.csv', access: readOnly },
  { step: 'two-factor-report', method: 'GET', path: '/v1/apps/{appId}/reports/two-factor', access: readOnly },
  { step: 'user-reset', method: 'POST', path: '/v1/apps/{appId}/users/{userId}/2fa/reset', access: readWrite },
  { step: 'user-unlock', method: 'POST', path: '/v1/apps/{appId}/users/{userId}/unlock', access: readWrite },
  { step: 'audit-events', method: 'GET', path: '/v1/apps/{appId}/audit-events', access: readOnly },
  // A browser's CORS preflight for any path of an app: answered from the app's allowed origins.
  { step: 'cors-preflight', method: 'OPTIONS', path: '/v1/apps/{appId}/{proxy+}', access: readOnly },
];

/** Answers every request no route matches, so unknown paths get API.md's error body too. */
export const notFoundStep = { step: 'not-found', access: { table: 'none', kms: 'none' } as StepAccess };

export const platformSteps: readonly PlatformStep[] = [
  { step: 'create-app', functionName: 'createApp', access: { table: 'readWrite', kms: 'generateDataKey' } },
  { step: 'set-plan', functionName: 'setPlan', access: readWrite },
  { step: 'reset-two-factor', functionName: 'resetTwoFactor', access: readWrite },
  { step: 'set-allowed-origins', functionName: 'setAllowedOrigins', access: readWrite },
];

/**
 * Every function's timeout. The local server gives each invocation the same deadline, and the SDK clients'
 * timeouts (functions/adapters/aws-client-settings.ts) keep a hanging dependency from reaching it.
 */
export const functionTimeoutSeconds = 10;

/** Environment variables every function reads at load (see `functions/commons/config.ts`). */
export const functionEnvironment = {
  tableName: 'TABLE_NAME',
  kmsKeyId: 'KMS_KEY_ID',
  eventBusName: 'EVENT_BUS_NAME',
} as const;

/**
 * Publishes every new audit entry as a security event: fed by the table's stream (audit entries are
 * written in the same transaction as the change they record), so an event goes out exactly for what
 * was committed, even if the step that wrote it failed right after.
 */
export const eventsStep = { step: 'publish-events', access: readOnly };

/**
 * Records the enrollment-deadline reminders due (7 days and 1 day before a user's deadline), every 12 hours
 * on an EventBridge Scheduler schedule; the event publisher sends them on as security events.
 */
export const enforcementRemindersStep = { step: 'enforcement-reminders', access: readWrite };
