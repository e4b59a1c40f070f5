import { randomBytes } from 'node:crypto';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { functionTimeoutSeconds } from '../../functions/routes.js';
import { totpCode } from '../support/authenticator.js';
import {
  type ApiResponse,
  type TestApp,
  call,
  createTestApp,
  invokePlatform,
  loginChallenge,
  password,
  signUp,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { type FaultRule, awsErrors, faultSwitch } from '../support/faults.js';
import { eventFor } from '../support/events.js';
import { allUsers } from '../support/parallel.js';
import { coldDataKey } from '../support/cold-data-key.js';
import { decodeQrDataUrl } from '../support/qr.js';
import { everythingOf, partition, storedItem, storedLoginChallenge, tokenHash } from '../support/table.js';

/**
 * Issue 3, faults: every HTTP step that touches DynamoDB or KMS, with each dependency failing under it.
 * Each attempt runs on a user (or an app) of its own, and its faults name that user or app, so the cases
 * run concurrently without touching each other.
 */

/** One request of one step, ready to send, and what it may change. */
interface Attempt {
  send(): Promise<ApiResponse>;
  /** Carried by every DynamoDB call of this request that touches its user (or app), and by no other case's calls. */
  scope: string;
  /** The call that does the step's work: its write (the last of several), or a read-only step's read. */
  mainCall: { operation: string; scope?: string };
  /** Everything the step may change, read from the table; a failed request must leave it as it was. */
  state(): Promise<unknown>;
  /** Once the fault is gone, the same request succeeds: checks its answer and its effect. */
  completes(answer: ApiResponse): Promise<void> | void;
  appId: string;
}

interface StepUnderFault {
  name: string;
  /** With `coldKey`, in an app of its own whose data key the stack has not unwrapped yet, as a fresh function would not have. */
  prepare(options: { coldKey: boolean }): Promise<Attempt>;
  throttling: keyof typeof awsErrors & `dynamo${string}Throttling`;
  /** KMS errors to inject when the step opens or seals a TOTP secret. */
  kmsErrors?: (keyof typeof awsErrors & `kms${string}`)[];
  /** Its cases share one app (their faults name it), so they run one after another. */
  oneCaseAtATime?: boolean;
  /** What the main call is, for the case's name. */
  mainCallIs?: string;
}

let sharedApp: Promise<TestApp> | undefined;
/** End-user steps share one app (`optional`); their faults name a user, never the app. */
const endUserApp = () => (sharedApp ??= createTestApp({ mode: 'optional' }));
let requiredApp: Promise<TestApp> | undefined;
const stepApps = new Map<string, Promise<TestApp>>();
/** One app per admin step, shared by that step's cases (run one at a time). */
function appOfStep(step: string): Promise<TestApp> {
  if (!stepApps.has(step)) stepApps.set(step, createTestApp({ mode: 'optional' }));
  return stepApps.get(step)!;
}
type AppRuntimeItem = { publishedVersion: number };
const appFor = ({ coldKey }: { coldKey: boolean }) => (coldKey ? createTestApp({ mode: 'optional' }) : endUserApp());

async function startEnrollment(app: TestApp, token: string): Promise<string> {
  const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
  return new URL(decodeQrDataUrl(enrollment.body.qrCode.pngDataUrl)).searchParams.get('secret')!;
}

/**
 * A user's own items (profile, factor, pending enrollment, backup codes) and the session or challenge the
 * test holds: what a step that creates no session or challenge may change. Cheaper than `everythingOf`,
 * which scans the table for sessions and challenges nobody was handed.
 */
async function userItems(userId: string, token: string): Promise<unknown> {
  const [items, session, challenge] = await Promise.all([
    partition(`USER#${userId}`),
    storedItem(`SESSION#${tokenHash(token)}`, 'SESSION'),
    storedItem(`CHALLENGE#${tokenHash(token)}`, 'CHALLENGE'),
  ]);
  return { items, session, challenge };
}

/** An enrolled user, in an app whose data key is cold if asked, and a code of the authenticator still unused. */
async function enrolledUser(options: { coldKey: boolean }) {
  const app = await appFor(options);
  const user = await signUpAndEnroll(app);
  if (options.coldKey) await coldDataKey(app.appId, user.userId, 'TOTP');
  // The step after the one the confirmation spent: acceptable for the next half minute at least.
  return { app, user, code: totpCode(user.secret, user.confirmedStep + 1) };
}

const steps: StepUnderFault[] = [
  {
    name: 'POST /signup',
    throttling: 'dynamoThrottling',
    prepare: async () => {
      const app = await createTestApp();
      const email = uniqueEmail('signup');
      const state = async () => [
        await storedItem(`EMAIL#${app.appId}#${email}`, 'EMAIL'),
        (await allUsers(app)).map((user) => user.email).sort(),
      ];
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } }),
        scope: app.appId,
        mainCall: { operation: 'TransactWriteItems' },
        state,
        completes: async (answer) => {
          expect(answer.status).toBe(201);
          expect((await storedItem(`EMAIL#${app.appId}#${email}`, 'EMAIL'))!.userId).toBe(answer.body.user.id);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /login',
    mainCallIs: 'its one write: the count cleared with the session and device, the password judged before',
    throttling: 'dynamoRequestThrottling',
    prepare: async () => {
      const app = await endUserApp();
      const user = await signUp(app);
      const failuresKey = keys.passwordFailures(app.appId, user.email).pk;
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/login`, { body: { email: user.email, password } }),
        scope: user.userId,
        mainCall: { operation: 'TransactWriteItems' },
        // And the password attempts counted against the email: one whose password was never checked is given back.
        state: async () => {
          const failures = await storedItem(failuresKey, 'PASSWORD_FAILURES');
          return { items: await everythingOf(user.userId), passwordFailures: [failures?.failedAttempts ?? 0, failures?.lockedUntil] };
        },
        completes: async (answer) => {
          expect(answer.body.status).toBe('SIGNED_IN');
          expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: answer.body.session.token })).status).toBe(200);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /login/verify with a code',
    mainCallIs:
      'its commit (the session and device are written beside it, and taken back when it fails): the code is judged before anything is written',
    throttling: 'dynamoThrottling',
    kmsErrors: ['kmsInternal'],
    prepare: async (options) => {
      const { app, user, code } = await enrolledUser(options);
      const challengeToken = await loginChallenge(app, user.email);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, code } }),
        scope: user.userId,
        mainCall: { operation: 'UpdateItem' },
        state: () => everythingOf(user.userId),
        completes: async (answer) => {
          expect([answer.status, answer.body.session.assurance]).toEqual([200, 'two_factor']);
          expect(await storedLoginChallenge(user.userId, challengeToken)).toBeUndefined();
          expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: answer.body.session.token })).status).toBe(200);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /login/verify with a backup code',
    mainCallIs: 'its commit, its one write: the code is judged before anything is written',
    throttling: 'dynamoRequestThrottling',
    prepare: async () => {
      const app = await endUserApp();
      const user = await signUpAndEnroll(app);
      const challengeToken = await loginChallenge(app, user.email);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/login/verify`, { body: { challengeToken, backupCode: user.backupCodes[0] } }),
        scope: user.userId,
        mainCall: { operation: 'TransactWriteItems' },
        state: () => everythingOf(user.userId),
        completes: async (answer) => {
          expect([answer.status, answer.body.backupCodesRemaining]).toEqual([200, 9]);
          expect(Object.keys((await storedItem(`USER#${user.userId}`, 'BACKUP_CODES'))!.codes)).toHaveLength(9);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /2fa/enrollment',
    throttling: 'dynamoThrottling',
    kmsErrors: ['kmsThrottling'],
    prepare: async (options) => {
      // A new app's data key has never been unwrapped, so its first enrollment asks KMS.
      const app = await appFor(options);
      const user = await signUp(app);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token: user.token }),
        scope: user.userId,
        mainCall: { operation: 'PutItem' },
        state: () => userItems(user.userId, user.token),
        completes: async (answer) => {
          expect(answer.status).toBe(201);
          expect(await storedItem(`USER#${user.userId}`, 'TOTP#PENDING')).toBeDefined();
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /2fa/enrollment/confirm',
    mainCallIs: 'its commit, after the code’s time step was claimed',
    throttling: 'dynamoRequestThrottling',
    kmsErrors: ['kmsInternal'],
    prepare: async (options) => {
      const app = await appFor(options);
      const user = await signUp(app);
      const secret = await startEnrollment(app, user.token);
      if (options.coldKey) await coldDataKey(app.appId, user.userId, 'TOTP#PENDING');
      const code = totpCode(secret);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token: user.token, body: { code } }),
        // The commit comes after the code's time step was claimed (a write of its own).
        scope: user.userId,
        mainCall: { operation: 'TransactWriteItems' },
        state: () => userItems(user.userId, user.token),
        completes: async (answer) => {
          expect([answer.status, answer.body.backupCodes.length]).toEqual([200, 10]);
          const stored = await everythingOf(user.userId);
          expect(
            stored
              .filter((item) => ['TOTP', 'BACKUP_CODES'].includes(item.sk))
              .map((item) => item.sk)
              .sort(),
          ).toEqual(['BACKUP_CODES', 'TOTP']);
          expect(stored.find((item) => item.sk === 'PROFILE')!.twoFactorEnabled).toBe(true);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /2fa/enrollment/confirm with an enrollment challenge (mode required)',
    mainCallIs: 'its commit, after the code’s time step was claimed',
    throttling: 'dynamoThrottling',
    prepare: async () => {
      const app = await (requiredApp ??= createTestApp({ mode: 'required' }));
      const user = await signUp(app);
      const secret = await startEnrollment(app, user.token);
      const code = totpCode(secret);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token: user.token, body: { code } }),
        scope: user.userId,
        mainCall: { operation: 'TransactWriteItems' },
        // The challenge item carries the user id: a consumed challenge would show here.
        state: () => everythingOf(user.userId),
        completes: async (answer) => {
          expect([answer.status, answer.body.session.assurance]).toEqual([200, 'two_factor']);
          expect(await storedItem(`CHALLENGE#${tokenHash(user.token)}`, 'CHALLENGE')).toBeUndefined();
          expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: answer.body.session.token })).body.twoFactor.enabled).toBe(true);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /2fa/backup-codes',
    mainCallIs: 'its commit, after the account attempt was written',
    throttling: 'dynamoThrottling',
    kmsErrors: ['kmsThrottling'],
    prepare: async (options) => {
      const { app, user, code } = await enrolledUser(options);
      const setBefore = (await storedItem(`USER#${user.userId}`, 'BACKUP_CODES'))!.setId;
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/2fa/backup-codes`, { token: user.sessionToken, body: { code } }),
        scope: user.userId,
        mainCall: { operation: 'TransactWriteItems' },
        state: () => userItems(user.userId, user.sessionToken),
        completes: async (answer) => {
          expect([answer.status, answer.body.backupCodes.length]).toEqual([200, 10]);
          expect((await storedItem(`USER#${user.userId}`, 'BACKUP_CODES'))!.setId).not.toBe(setBefore);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /2fa/disable',
    mainCallIs: 'its commit, after the account attempt was written',
    throttling: 'dynamoRequestThrottling',
    kmsErrors: ['kmsInternal'],
    prepare: async (options) => {
      const { app, user, code } = await enrolledUser(options);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/2fa/disable`, { token: user.sessionToken, body: { code } }),
        scope: user.userId,
        mainCall: { operation: 'TransactWriteItems' },
        state: () => userItems(user.userId, user.sessionToken),
        completes: async (answer) => {
          expect(answer.body).toEqual({ status: 'DISABLED' });
          expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).body.twoFactor.enabled).toBe(false);
        },
        appId: app.appId,
      };
    },
  },
  {
    name: 'GET /me',
    throttling: 'dynamoThrottling',
    prepare: async () => {
      const app = await endUserApp();
      const user = await signUp(app);
      return {
        send: () => call('GET', `/v1/apps/${app.appId}/me`, { token: user.token }),
        scope: user.userId,
        mainCall: { operation: 'GetItem' },
        state: () => userItems(user.userId, user.token),
        completes: (answer) => expect([answer.status, answer.body.user.id]).toEqual([200, user.userId]),
        appId: app.appId,
      };
    },
  },
  {
    name: 'POST /logout',
    throttling: 'dynamoRequestThrottling',
    prepare: async () => {
      const app = await endUserApp();
      const user = await signUp(app);
      return {
        send: () => call('POST', `/v1/apps/${app.appId}/logout`, { token: user.token }),
        scope: user.userId,
        mainCall: { operation: 'DeleteItem', scope: `SESSION#${tokenHash(user.token)}` },
        state: () => userItems(user.userId, user.token),
        completes: async (answer) => {
          expect(answer.status).toBe(204);
          expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.token })).status).toBe(401);
        },
        appId: app.appId,
      };
    },
  },
  ...(
    [
      [
        'GET /settings/two-factor',
        'GET',
        'settings/two-factor',
        undefined,
        'GetItem',
        (answer: ApiResponse) => expect(answer.body.draft.mode).toBe('optional'),
      ],
      [
        'PUT /settings/two-factor',
        'PUT',
        'settings/two-factor',
        { mode: 'required' },
        'TransactWriteItems',
        (answer: ApiResponse) => expect(answer.body.draft.mode).toBe('required'),
      ],
      [
        'POST /publish',
        'POST',
        'publish',
        undefined,
        'TransactWriteItems',
        (answer: ApiResponse, before: AppRuntimeItem) => expect(answer.body.version).toBe(before.publishedVersion + 1),
      ],
      ['GET /users', 'GET', 'users', undefined, 'Query', (answer: ApiResponse) => expect(answer.body.users).toHaveLength(1)],
      [
        'GET /audit-events',
        'GET',
        'audit-events',
        undefined,
        'Query',
        (answer: ApiResponse) => expect(answer.body.events.length).toBeGreaterThan(0),
      ],
    ] as const
  ).map(([name, method, path, body, operation, answered], index): StepUnderFault => ({
    name,
    throttling: index % 2 === 0 ? 'dynamoThrottling' : 'dynamoRequestThrottling',
    oneCaseAtATime: true,
    prepare: async () => {
      // An app of the step's own: the faults name the app, which every call of an admin step carries.
      const app = await appOfStep(name);
      const before = (await storedItem(`APP#${app.appId}`, 'APP')) as AppRuntimeItem;
      return {
        send: () => call(method, `/v1/apps/${app.appId}/${path}`, { token: app.adminToken, body }),
        scope: app.appId,
        mainCall: { operation },
        state: async () => Promise.all([`APP#${app.appId}`, ...keys.auditPartitions(app.appId)].map(partition)),
        completes: (answer) => {
          expect(answer.status).toBe(200);
          answered(answer, before);
        },
        appId: app.appId,
      };
    },
  })),
  {
    name: 'OPTIONS /{path} (CORS preflight)',
    mainCallIs: 'its read',
    throttling: 'dynamoThrottling',
    prepare: async () => {
      // The preflight reads the app's allowed origins (remembered per origin for a while: a new one each time).
      const origin = `https://portal-${randomBytes(6).toString('hex')}.example.test`;
      const created = await invokePlatform<{ appId: string }>('createApp', {
        name: 'Preflight Portal',
        plan: 'free',
        adminEmail: uniqueEmail('admin'),
        adminPassword: password,
        allowedOrigins: [origin],
      });
      const appId = created.result!.appId;
      return {
        send: () => call('OPTIONS', `/v1/apps/${appId}/2fa/enrollment`, { headers: { origin, 'access-control-request-method': 'POST' } }),
        scope: appId,
        mainCall: { operation: 'GetItem' },
        state: () => partition(`APP#${appId}`),
        completes: (answer) => expect([answer.status, answer.headers.get('access-control-allow-origin')]).toEqual([204, origin]),
        appId,
      };
    },
  },
  {
    name: 'POST /users/{userId}/2fa/reset',
    throttling: 'dynamoRequestThrottling',
    oneCaseAtATime: true,
    prepare: async () => {
      const app = await appOfStep('POST /users/{userId}/2fa/reset');
      const user = await signUpAndEnroll(app);
      return {
        send: () =>
          call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken, body: { reason: 'lost phone' } }),
        scope: app.appId,
        mainCall: { operation: 'TransactWriteItems' },
        state: () => userItems(user.userId, user.sessionToken),
        completes: async (answer) => {
          expect([answer.status, answer.body.user.twoFactorSetupComplete]).toEqual([200, false]);
          expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).status).toBe(401);
        },
        appId: app.appId,
      };
    },
  },
];

/** API.md's 503: the error body and nothing else (no session, no challenge, no token), and Retry-After. */
function expectRetryLater(answer: ApiResponse): void {
  expect({ status: answer.status, retryAfter: answer.headers.get('retry-after'), body: answer.body }).toEqual({
    status: 503,
    retryAfter: '1',
    body: { error: { code: 'service_unavailable', message: expect.any(String), retryAfterSeconds: 1 } },
  });
  expect(answer.text).not.toMatch(/Exception|injected|InternalServerError|at [\w.<>]+ \(|node_modules/);
}

type FaultCase = [step: string, fault: string, run: () => Promise<void>];

/**
 * Sends the attempt under `rules`; it must answer 503 and change nothing, and succeed once they are gone.
 * Returns how long the failing answer took.
 */
async function failsCleanlyThenCompletes(attempt: Attempt, rules: FaultRule[]): Promise<number> {
  const before = await attempt.state();
  const faults = faultSwitch(`faults-at-each-step-${randomBytes(6).toString('hex')}`);
  await faults.inject(rules);
  const started = Date.now();
  let failing: ApiResponse;
  try {
    failing = await attempt.send();
  } finally {
    await faults.clear();
  }
  const elapsedMs = Date.now() - started;
  expectRetryLater(failing);
  expect(await attempt.state()).toEqual(before);
  await attempt.completes(await attempt.send());
  return elapsedMs;
}

function stepNamed(name: string): StepUnderFault {
  return steps.find((step) => step.name === name)!;
}

const cases: FaultCase[] = steps.flatMap((step) => {
  let previousCase: Promise<unknown> = Promise.resolve();
  const under = (fault: string, rules: (attempt: Attempt) => FaultRule[], coldKey = false): FaultCase => [
    step.name,
    fault,
    async () => {
      const run = async () => {
        const attempt = await step.prepare({ coldKey });
        await failsCleanlyThenCompletes(attempt, rules(attempt));
      };
      if (!step.oneCaseAtATime) return run();
      const turn = previousCase.then(run);
      previousCase = turn.catch(() => undefined);
      return turn;
    },
  ];
  const throttling = awsErrors[step.throttling];
  return [
    under(`DynamoDB ${throttling.type.split('#')[1]} on every call`, (attempt) => [
      { service: 'dynamodb', bodyIncludes: attempt.scope, ...throttling },
    ]),
    under(`a DynamoDB InternalServerError on ${step.mainCallIs ?? (step.name.startsWith('GET') ? 'its read' : 'its write')}`, (attempt) => [
      {
        service: 'dynamodb',
        operation: attempt.mainCall.operation,
        bodyIncludes: attempt.mainCall.scope ?? attempt.scope,
        ...awsErrors.dynamoInternal,
      },
    ]),
    ...(step.kmsErrors ?? []).map((error) =>
      under(
        `KMS ${awsErrors[error].type} unwrapping the app's data key`,
        (attempt) => [{ service: 'kms', operation: 'Decrypt', bodyIncludes: attempt.appId, ...awsErrors[error] }],
        true,
      ),
    ),
  ];
});

describe('faults at each step', () => {
  it.concurrent.each(cases)('%s answers 503, changes nothing and then completes, under %s', async (_step, _fault, run) => {
    await run();
  });
});

describe('a hanging dependency', () => {
  /** Longer than any deadline: the SDK must give up on the call, the proxy then drops it. */
  const hang = { delayMs: 60_000 };

  it.concurrent.each([
    [
      'GET /me',
      'every DynamoDB call of the request',
      false,
      (attempt: Attempt): FaultRule[] => [{ service: 'dynamodb', bodyIncludes: attempt.scope, ...hang }],
    ],
    [
      'POST /login/verify with a code',
      'its commit',
      false,
      (attempt: Attempt): FaultRule[] => [
        { service: 'dynamodb', operation: attempt.mainCall.operation, bodyIncludes: attempt.scope, ...hang },
      ],
    ],
    [
      'POST /login/verify with a code',
      'KMS unwrapping the data key',
      true,
      (attempt: Attempt): FaultRule[] => [{ service: 'kms', operation: 'Decrypt', bodyIncludes: attempt.appId, ...hang }],
    ],
  ])('%s answers 503 inside the function timeout when %s hangs, changes nothing, then completes', async (step, _what, coldKey, rules) => {
    const attempt = await stepNamed(step).prepare({ coldKey });

    const elapsedMs = await failsCleanlyThenCompletes(attempt, rules(attempt));

    expect(elapsedMs).toBeLessThan(functionTimeoutSeconds * 1000);
  });
});

describe('a failure after the commit', () => {
  it('answers an admin reset with 200, fully applied, when reading the user back fails after its commit', async () => {
    const app = await endUserApp();
    const user = await signUpAndEnroll(app);
    const reset = () =>
      call('POST', `/v1/apps/${app.appId}/users/${user.userId}/2fa/reset`, { token: app.adminToken, body: { reason: 'lost phone' } });
    const faults = faultSwitch(`faults-at-each-step-${randomBytes(6).toString('hex')}`);
    // The event publisher reads the user too (for the enrollment's event): let it finish first, so the one
    // read the rule lets pass is the reset's own.
    await eventFor(app.appId, 'two_factor.enrolled', user.userId);
    // The reset reads the user, commits, then reads the user back for its answer.
    await faults.inject([
      {
        service: 'dynamodb',
        operation: 'GetItem',
        bodyIncludes: [`USER#${user.userId}"`, 'PROFILE'],
        after: 1,
        ...awsErrors.dynamoInternal,
      },
    ]);
    let failing: ApiResponse;
    try {
      failing = await reset();
    } finally {
      await faults.clear();
    }

    expect([failing.status, failing.body.user.twoFactorSetupComplete]).toEqual([200, false]);
    const stored = await everythingOf(user.userId);
    expect(stored.find((item) => item.sk === 'PROFILE')!.twoFactorEnabled).toBe(false);
    expect(stored.filter((item) => ['TOTP', 'BACKUP_CODES', 'TOTP#PENDING'].includes(item.sk))).toEqual([]);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: user.sessionToken })).status).toBe(401);
  });
});
