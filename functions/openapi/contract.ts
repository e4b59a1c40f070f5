import type { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import {
  codeBody,
  credentialsBody,
  loginBody,
  resetTwoFactorBody,
  stepUpBody,
  twoFactorSettingsBody,
  verifyLoginBody,
} from '../http/schemas.js';
import { adminOperations } from './admin-operations.js';
import { endUserOperations } from './end-user-operations.js';
import * as responses from './responses.js';
import { enrollmentReport } from './report-responses.js';

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
    /** Answers with a CSV file (and no JSON body). */
    csvFile?: string;
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
  [
    resetTwoFactorBody,
    'ResetTwoFactor',
    'Why the admin resets the user: kept in the audit log and told to the user in the security email, unless reasonInternal.',
  ],
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
  [responses.userSummary, 'UserSummary', 'A user as the admin reset and unlock answer it.'],
  [responses.userRow, 'UserRow', 'A row of the admin users table, with where the user stands with 2FA.'],
  [responses.usersPage, 'UsersPage', 'A page of the admin users table.'],
  [enrollmentReport, 'EnrollmentReport', 'Who has 2FA, and who is pending or overdue, in total and per role.'],
  [responses.userReset, 'UserReset', 'The user after the reset.'],
  [responses.auditEventsPage, 'AuditEventsPage', 'A page of the audit log, newest first.'],
  [responses.health, 'Health', 'The service is up.'],
];

/** Every HTTP step's operation, keyed by the step names of `functions/routes.ts`. */
export const operations: Record<string, Operation> = { ...endUserOperations, ...adminOperations };

/** What every route a caller kind may use can answer, besides its own errors. */
export const callerErrors: Record<Caller, ErrorCode[]> = {
  anyone: [],
  session: ['unauthorized'],
  sessionOrEnrollmentChallenge: ['unauthorized'],
  admin: ['unauthorized', 'forbidden', 'two_factor_required'],
};
