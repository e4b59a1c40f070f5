import type { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import {
  appDeviceParams,
  appParams,
  appUserParams,
  codeBody,
  credentialsBody,
  emptyBody,
  loginBody,
  pageQuery,
  resetTwoFactorBody,
  stepUpBody,
  twoFactorSettingsBody,
  verifyLoginBody,
} from '../http/schemas.js';
import * as responses from './responses.js';

/** The request schemas of one route: the objects its handler exports as `request` and validates with. */
interface RequestSchemas {
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
}

/** Who may call a route; decides its security requirement and the errors every such route can answer. */
export type Caller = 'anyone' | 'session' | 'sessionOrEnrollmentChallenge' | 'admin';

export interface Operation {
  operationId: string;
  tag: 'End users' | 'App admins' | 'Service';
  summary: string;
  description?: string;
  caller: Caller;
  request: RequestSchemas;
  success: {
    status: 200 | 201 | 204;
    description: string;
    /** The JSON body; absent for 204. */
    body?: z.ZodType;
    /** Also answers with a plain-text file when the client prefers it (`Accept: text/plain`). */
    textFile?: string;
  };
  /** The errors this route raises on its own; validation, 413, 500 and 503 are added where they apply. */
  errors: ErrorCode[];
}

/** Component names in the document; each schema is written once and referenced from every operation. */
export const namedSchemas: [z.ZodType, string, string][] = [
  [credentialsBody, 'Credentials', 'Email and password of an end user or admin.'],
  [loginBody, 'Login', "Email and password, and the device token this browser keeps (from an earlier SIGNED_IN's `device`), if any."],
  [
    verifyLoginBody,
    'VerifyLogin',
    'The challenge token of TWO_FACTOR_REQUIRED and exactly one of `code` (the 6 digits of the authenticator app) and `backupCode`; `rememberDevice` asks to skip the second factor on this device for the days the app allows.',
  ],
  [stepUpBody, 'StepUp', 'Exactly one of `code` (the 6 digits of the authenticator app) and `backupCode`.'],
  [codeBody, 'TotpCode', 'A current 6-digit code from the authenticator app.'],
  [twoFactorSettingsBody, 'TwoFactorSettingsUpdate', 'The draft mode; the plan decides which modes are allowed.'],
  [resetTwoFactorBody, 'ResetTwoFactor', 'Why the admin resets the user (kept in the audit log).'],
  [responses.userView, 'User', 'The signed-in user.'],
  [responses.sessionView, 'Session', 'A session and its assurance level.'],
  [responses.deviceView, 'Device', 'The device a session was issued to.'],
  [responses.steppedUp, 'SteppedUp', 'The same session, with a second factor proven just now.'],
  [responses.deviceListing, 'Devices', "The user's devices, most recently used first."],
  [responses.signedInWithOffer, 'SignedInWithOffer', 'SIGNED_IN after the password step, with what the portal should offer next.'],
  [
    responses.challengeIssued,
    'ChallengeIssued',
    'The password was right; a second factor (TWO_FACTOR_REQUIRED) or an enrollment (TWO_FACTOR_ENROLLMENT_REQUIRED) is due first.',
  ],
  [responses.passwordStepResult, 'PasswordStepResult', 'The outcome of sign-up or the password step of a login.'],
  [responses.verifyLoginResult, 'SignedInWithSecondFactor', 'SIGNED_IN after a second factor.'],
  [responses.enrollmentStarted, 'EnrollmentStarted', 'A new pending secret as a QR code and a manual key; confirm it with a code.'],
  [responses.enrollmentConfirmed, 'EnrollmentConfirmed', '2FA is on: the backup codes are shown this once.'],
  [responses.backupCodesRegenerated, 'BackupCodes', 'A new set of backup codes; the old set no longer works.'],
  [responses.twoFactorDisabled, 'TwoFactorDisabled', '2FA is off for this user.'],
  [responses.me, 'Me', 'The signed-in user, their 2FA state and the app.'],
  [responses.twoFactorSettings, 'TwoFactorSettings', "The app's draft and published 2FA settings."],
  [responses.published, 'Published', 'The config version now in force.'],
  [responses.userSummary, 'UserSummary', 'A row of the admin users table.'],
  [responses.usersPage, 'UsersPage', 'A page of the admin users table.'],
  [responses.userReset, 'UserReset', 'The user after the reset.'],
  [responses.auditEventsPage, 'AuditEventsPage', 'A page of the audit log, newest first.'],
  [responses.health, 'Health', 'The service is up.'],
];

/** Every HTTP step's operation, keyed by the step names of `functions/routes.ts`. */
export const operations: Record<string, Operation> = {
  health: {
    operationId: 'health',
    tag: 'Service',
    summary: 'Liveness',
    caller: 'anyone',
    request: {},
    success: { status: 200, description: 'The service is up.', body: responses.health },
    errors: [],
  },
  openapi: {
    operationId: 'getOpenApiDocument',
    tag: 'Service',
    summary: 'This OpenAPI document',
    caller: 'anyone',
    request: {},
    success: { status: 200, description: 'The OpenAPI 3.1 document of the HTTP API.' },
    errors: [],
  },
  signup: {
    operationId: 'signUp',
    tag: 'End users',
    summary: 'Sign up',
    description:
      'Under a published `required` mode the user gets an enrollment challenge instead of a session and must link an authenticator first.',
    caller: 'anyone',
    request: { params: appParams, body: credentialsBody },
    success: {
      status: 201,
      description: 'SIGNED_IN, or TWO_FACTOR_ENROLLMENT_REQUIRED under a required mode.',
      body: responses.passwordStepResult,
    },
    errors: ['email_taken', 'not_found'],
  },
  login: {
    operationId: 'logIn',
    tag: 'End users',
    summary: 'Sign in: the password step',
    description:
      "An unknown email and a wrong password get the same answer in similar time. Every 10th consecutive wrong password locks (429, 1 minute, doubling with each lock up to 15). Wrong passwords sent with a valid `deviceToken` of the user count against that device alone; all others count against the email, whether or not an account has it, and never lock out a request presenting the owner's device. A remembered device of the user skips the second factor (assurance remembered_device).",
    caller: 'anyone',
    request: { params: appParams, body: loginBody },
    success: {
      status: 200,
      description: 'SIGNED_IN, TWO_FACTOR_REQUIRED or TWO_FACTOR_ENROLLMENT_REQUIRED.',
      body: responses.passwordStepResult,
    },
    errors: ['invalid_credentials', 'not_found', 'too_many_attempts'],
  },
  'login-verify': {
    operationId: 'verifyLogin',
    tag: 'End users',
    summary: 'Sign in: the second factor',
    description:
      'A challenge survives 5 wrong codes; every 10th consecutive wrong code locks the second factor (429, 1 minute, doubling with each lock up to 15), counted on the device the login presented, else on the account. A time step once accepted is never accepted again. The answer carries the device: the one the login presented (with a new token), else a new one.',
    caller: 'anyone',
    request: { params: appParams, body: verifyLoginBody },
    success: {
      status: 200,
      description: 'SIGNED_IN with assurance two_factor (and backupCodesRemaining when a backup code was used).',
      body: responses.verifyLoginResult,
    },
    errors: ['invalid_code', 'challenge_invalid', 'too_many_attempts'],
  },
  'enrollment-start': {
    operationId: 'startEnrollment',
    tag: 'End users',
    summary: 'Link an authenticator app: a new secret',
    description: 'Calling again starts over with a new secret. Accepts a session or the challenge of TWO_FACTOR_ENROLLMENT_REQUIRED.',
    caller: 'sessionOrEnrollmentChallenge',
    request: { params: appParams, body: emptyBody },
    success: { status: 201, description: 'The secret as a QR code and a manual key.', body: responses.enrollmentStarted },
    errors: ['already_enabled', 'two_factor_not_available'],
  },
  'enrollment-confirm': {
    operationId: 'confirmEnrollment',
    tag: 'End users',
    summary: 'Confirm linking with a code',
    description:
      'A pending enrollment survives 5 wrong codes. With an enrollment challenge, the answer carries the session and the challenge is spent.',
    caller: 'sessionOrEnrollmentChallenge',
    request: { params: appParams, body: codeBody },
    success: { status: 200, description: '2FA is on; the backup codes and their .txt file.', body: responses.enrollmentConfirmed },
    errors: ['invalid_code', 'challenge_invalid', 'already_enabled', 'not_enrolled', 'two_factor_not_available'],
  },
  'backup-codes': {
    operationId: 'regenerateBackupCodes',
    tag: 'End users',
    summary: 'New backup codes',
    description: 'A current code buys a new set; the old set dies. With `Accept: text/plain` the answer is the .txt file itself.',
    caller: 'session',
    request: { params: appParams, body: codeBody },
    success: {
      status: 200,
      description: 'The new codes.',
      body: responses.backupCodesRegenerated,
      textFile: 'The backup codes file (Content-Disposition: attachment).',
    },
    errors: ['invalid_code', 'not_enrolled', 'too_many_attempts', 'two_factor_required'],
  },
  disable: {
    operationId: 'disableTwoFactor',
    tag: 'End users',
    summary: 'Turn 2FA off',
    description: 'Refused with two_factor_required while the published mode is `required`.',
    caller: 'session',
    request: { params: appParams, body: codeBody },
    success: {
      status: 200,
      description: '2FA is off; the authenticator and the backup codes are gone.',
      body: responses.twoFactorDisabled,
    },
    errors: ['invalid_code', 'not_enrolled', 'too_many_attempts', 'two_factor_required'],
  },
  me: {
    operationId: 'getMe',
    tag: 'End users',
    summary: 'The signed-in user',
    caller: 'session',
    request: { params: appParams },
    success: { status: 200, description: 'The user, their 2FA state and the app.', body: responses.me },
    errors: [],
  },
  'step-up': {
    operationId: 'stepUp',
    tag: 'End users',
    summary: 'Prove the second factor again',
    description:
      'For 10 minutes the session may then weaken an account or an app (an admin reset or unlock, a lower mode, longer remembering), which otherwise answers 403 step_up_required. The code is spent as at login and counted against the account.',
    caller: 'session',
    request: { params: appParams, body: stepUpBody },
    success: {
      status: 200,
      description: 'The same session token, with assurance two_factor and stepUpExpiresAt.',
      body: responses.steppedUp,
    },
    errors: ['invalid_code', 'not_enrolled', 'too_many_attempts', 'two_factor_required'],
  },
  'devices-list': {
    operationId: 'listDevices',
    tag: 'End users',
    summary: 'My devices',
    caller: 'session',
    request: { params: appParams },
    success: { status: 200, description: "The user's devices.", body: responses.deviceListing },
    errors: [],
  },
  'device-forget': {
    operationId: 'forgetDevice',
    tag: 'End users',
    summary: 'Forget a device',
    description: 'Its token dies: it is an unknown client from then on and no longer skips the second factor.',
    caller: 'session',
    request: { params: appDeviceParams },
    success: { status: 204, description: 'The device is forgotten.' },
    errors: ['not_found'],
  },
  'logout-all': {
    operationId: 'logOutEverywhere',
    tag: 'End users',
    summary: 'Sign out everywhere',
    caller: 'session',
    request: { params: appParams, body: emptyBody },
    success: { status: 204, description: 'Every session of the user ended and every device is forgotten.' },
    errors: [],
  },
  logout: {
    operationId: 'logOut',
    tag: 'End users',
    summary: 'Sign out',
    caller: 'session',
    request: { params: appParams, body: emptyBody },
    success: { status: 204, description: 'The session is gone.' },
    errors: [],
  },
  'settings-get': {
    operationId: 'getTwoFactorSettings',
    tag: 'App admins',
    summary: 'Two-factor settings',
    caller: 'admin',
    request: { params: appParams },
    success: { status: 200, description: 'Draft and published settings.', body: responses.twoFactorSettings },
    errors: [],
  },
  'settings-put': {
    operationId: 'updateTwoFactorSettings',
    tag: 'App admins',
    summary: 'Change the draft settings',
    description:
      'Changes the draft only; `POST /publish` puts it in force. Lowering the mode or raising rememberDeviceDays needs a second factor proven in the last 10 minutes (step_up_required).',
    caller: 'admin',
    request: { params: appParams, body: twoFactorSettingsBody },
    success: { status: 200, description: 'Draft and published settings.', body: responses.twoFactorSettings },
    errors: ['plan_upgrade_required', 'step_up_required'],
  },
  publish: {
    operationId: 'publishConfig',
    tag: 'App admins',
    summary: 'Publish the draft',
    description:
      'Publishing a lower mode or a higher rememberDeviceDays than the one in force needs a second factor proven in the last 10 minutes (step_up_required).',
    caller: 'admin',
    request: { params: appParams, body: emptyBody },
    success: { status: 200, description: 'The new version, now in force.', body: responses.published },
    errors: ['plan_upgrade_required', 'step_up_required'],
  },
  'users-list': {
    operationId: 'listUsers',
    tag: 'App admins',
    summary: 'The users table',
    caller: 'admin',
    request: { params: appParams, query: pageQuery },
    success: { status: 200, description: 'A page of users.', body: responses.usersPage },
    errors: [],
  },
  'user-reset': {
    operationId: 'resetUserTwoFactor',
    tag: 'App admins',
    summary: "Reset a user's 2FA",
    description:
      "Removes the user's authenticator, backup codes and pending enrollment; their sessions and challenges die, no device stays remembered and their lockouts end. Never the admin's own account (forbidden); needs a second factor proven in the last 10 minutes (step_up_required).",
    caller: 'admin',
    request: { params: appUserParams, body: resetTwoFactorBody },
    success: { status: 200, description: 'The user, with twoFactorSetupComplete false.', body: responses.userReset },
    errors: ['not_found', 'step_up_required'],
  },
  'user-unlock': {
    operationId: 'unlockUser',
    tag: 'App admins',
    summary: "End a user's lockouts",
    description:
      "Ends the user's password and second-factor lockouts (audited as user.unlocked). Never the admin's own account (forbidden); needs a second factor proven in the last 10 minutes (step_up_required).",
    caller: 'admin',
    request: { params: appUserParams, body: emptyBody },
    success: { status: 200, description: 'The user.', body: responses.userReset },
    errors: ['not_found', 'step_up_required'],
  },
  'audit-events': {
    operationId: 'listAuditEvents',
    tag: 'App admins',
    summary: 'The audit log',
    caller: 'admin',
    request: { params: appParams, query: pageQuery },
    success: { status: 200, description: 'A page of audit events.', body: responses.auditEventsPage },
    errors: [],
  },
};

/** What every route a caller kind may use can answer, besides its own errors. */
export const callerErrors: Record<Caller, ErrorCode[]> = {
  anyone: [],
  session: ['unauthorized'],
  sessionOrEnrollmentChallenge: ['unauthorized'],
  admin: ['unauthorized', 'forbidden', 'two_factor_required'],
};
