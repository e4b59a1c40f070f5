/**
 * The service's deployable steps: one Lambda handler module per entry, at `functions/<step>/handler.ts`.
 *
 * This is plain data shared by the CDK stacks (one function per step, granted only `access`) and by the
 * local server (which routes HTTP requests to the very same handler modules), so the two cannot drift.
 */

/**
 * A DynamoDB action a step calls on the table, as IAM names it. A transaction (`TransactWriteItems`) is no
 * action of its own: DynamoDB authorizes each of its items as `PutItem`, `UpdateItem`, `DeleteItem` or
 * `ConditionCheckItem`.
 */
type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

/**
 * What a step's code calls on the table and on KMS; the stacks grant exactly this and nothing more, and the
 * least-privilege proof (test/least-privilege) shows each grant used by the suites and nothing used beyond it.
 */
export interface StepAccess {
  /** The table actions the step calls, on the table itself (not its indexes). */
  table: readonly TableAction[];
  /** The step queries the users index (gsi1): `Query` on that index alone. */
  queriesUsersIndex?: true;
  /** `decrypt` unwraps an app's data key; `generateDataKey` creates one (app creation) and nothing else. */
  kms: 'none' | 'decrypt' | 'generateDataKey';
}

/** The one key of the encryption context every data key is made and unwrapped under: the app's id. */
export const encryptionContextKey = 'appId';

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

const none: StepAccess = { table: [], kms: 'none' };
/** What a step that only reads single items (the app, the session, the user) needs. */
const reads: StepAccess = { table: ['GetItem'], kms: 'none' };

export const httpSteps: readonly HttpStep[] = [
  { step: 'health', method: 'GET', path: '/v1/health', access: none },
  { step: 'openapi', method: 'GET', path: '/v1/openapi.json', access: none },
  {
    step: 'signup',
    method: 'POST',
    path: '/v1/apps/{appId}/signup',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem'], kms: 'none' },
  },
  {
    step: 'login',
    method: 'POST',
    path: '/v1/apps/{appId}/login',
    access: { table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], kms: 'none' },
  },
  {
    step: 'login-verify',
    method: 'POST',
    path: '/v1/apps/{appId}/login/verify',
    access: { table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], kms: 'decrypt' },
  },
  {
    step: 'enrollment-start',
    method: 'POST',
    path: '/v1/apps/{appId}/2fa/enrollment',
    access: { table: ['GetItem', 'PutItem'], kms: 'decrypt' },
  },
  {
    step: 'enrollment-confirm',
    method: 'POST',
    path: '/v1/apps/{appId}/2fa/enrollment/confirm',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], kms: 'decrypt' },
  },
  {
    step: 'backup-codes',
    method: 'POST',
    path: '/v1/apps/{appId}/2fa/backup-codes',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem'], kms: 'decrypt' },
  },
  {
    step: 'disable',
    method: 'POST',
    path: '/v1/apps/{appId}/2fa/disable',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], kms: 'decrypt' },
  },
  { step: 'me', method: 'GET', path: '/v1/apps/{appId}/me', access: reads },
  { step: 'logout', method: 'POST', path: '/v1/apps/{appId}/logout', access: { table: ['GetItem', 'DeleteItem'], kms: 'none' } },
  {
    step: 'logout-all',
    method: 'POST',
    path: '/v1/apps/{appId}/logout/all',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem'], kms: 'none' },
  },
  {
    step: 'step-up',
    method: 'POST',
    path: '/v1/apps/{appId}/2fa/step-up',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'], kms: 'decrypt' },
  },
  { step: 'devices-list', method: 'GET', path: '/v1/apps/{appId}/2fa/devices', access: { table: ['GetItem', 'Query'], kms: 'none' } },
  {
    step: 'device-forget',
    method: 'DELETE',
    path: '/v1/apps/{appId}/2fa/devices/{deviceId}',
    access: { table: ['GetItem', 'PutItem', 'DeleteItem'], kms: 'none' },
  },
  { step: 'settings-get', method: 'GET', path: '/v1/apps/{appId}/settings/two-factor', access: reads },
  {
    step: 'settings-put',
    method: 'PUT',
    path: '/v1/apps/{appId}/settings/two-factor',
    access: { table: ['GetItem', 'PutItem', 'ConditionCheckItem'], kms: 'none' },
  },
  {
    step: 'publish',
    method: 'POST',
    path: '/v1/apps/{appId}/publish',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], kms: 'none' },
  },
  {
    step: 'users-list',
    method: 'GET',
    path: '/v1/apps/{appId}/users',
    access: { table: ['GetItem', 'BatchGetItem'], queriesUsersIndex: true, kms: 'none' },
  },
  {
    step: 'users-csv',
    method: 'GET',
    path: '/v1/apps/{appId}/users.csv',
    access: { table: ['GetItem', 'BatchGetItem'], queriesUsersIndex: true, kms: 'none' },
  },
  {
    step: 'two-factor-report',
    method: 'GET',
    path: '/v1/apps/{appId}/reports/two-factor',
    access: { table: ['GetItem', 'Query'], kms: 'none' },
  },
  {
    step: 'user-reset',
    method: 'POST',
    path: '/v1/apps/{appId}/users/{userId}/2fa/reset',
    access: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], kms: 'none' },
  },
  {
    step: 'user-unlock',
    method: 'POST',
    path: '/v1/apps/{appId}/users/{userId}/unlock',
    access: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], kms: 'none' },
  },
  { step: 'audit-events', method: 'GET', path: '/v1/apps/{appId}/audit-events', access: { table: ['GetItem', 'Query'], kms: 'none' } },
  // A browser's CORS preflight for any path of an app: answered from the app's allowed origins.
  { step: 'cors-preflight', method: 'OPTIONS', path: '/v1/apps/{appId}/{proxy+}', access: reads },
];

/** Answers every request no route matches, so unknown paths get API.md's error body too. */
export const notFoundStep = { step: 'not-found', access: none };

export const platformSteps: readonly PlatformStep[] = [
  {
    step: 'create-app',
    functionName: 'createApp',
    access: { table: ['PutItem', 'UpdateItem'], kms: 'generateDataKey' },
  },
  {
    step: 'set-plan',
    functionName: 'setPlan',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], kms: 'none' },
  },
  {
    step: 'reset-two-factor',
    functionName: 'resetTwoFactor',
    access: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], kms: 'none' },
  },
  { step: 'set-allowed-origins', functionName: 'setAllowedOrigins', access: { table: ['PutItem', 'UpdateItem'], kms: 'none' } },
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
  /** The notifier's From address (an SES verified identity, or an address of a verified domain). */
  senderAddress: 'SENDER_ADDRESS',
  /** The SES configuration set the notifier sends under. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** The queue that keeps security events EventBridge refused, whole (the event publisher). */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
} as const;

/**
 * Publishes every new audit entry as a security event: fed by the table's stream (audit entries are
 * written in the same transaction as the change they record), so an event goes out exactly for what
 * was committed, even if the step that wrote it failed right after.
 */
export const eventsStep = { step: 'publish-events', access: reads };

/**
 * Emails users about security events on their account: a rule on the security-event bus invokes it. It reads
 * the user's address and the app's name (`read`); its only write, the record of each email sent (`NOTIFY#`
 * items, so a redelivered event sends nothing), is granted apart from this access, on those keys alone.
 */
export const notifierStep = { step: 'notifier', access: reads };

/**
 * Records the enrollment-deadline reminders due (7 days and 1 day before a user's deadline), every 12 hours
 * on an EventBridge Scheduler schedule; the event publisher sends them on as security events.
 */
export const enforcementRemindersStep = {
  step: 'enforcement-reminders',
  /** Its name on the local Lambda Invoke endpoint, where the test stack runs it as the schedule would. */
  functionName: 'enforcementReminders',
  access: { table: ['GetItem', 'Query', 'PutItem'], queriesUsersIndex: true, kms: 'none' } satisfies StepAccess,
};
