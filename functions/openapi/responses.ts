import * as z from 'zod';
import type { ErrorCode } from '../core/errors.js';
import { auditEventTypes, plans, roles, twoFactorModes } from '../core/model.js';
import type { UserSummary } from '../core/model.js';
import type { ChallengeIssued, SignedIn, SignedInWithOffer, UserView } from '../core/use-cases/common.js';
import type { EnrollmentConfirmed } from '../core/use-cases/confirm-enrollment.js';
import type { Me } from '../core/use-cases/get-me.js';
import type { Published } from '../core/use-cases/publish-config.js';
import type { BackupCodesRegenerated } from '../core/use-cases/regenerate-backup-codes.js';
import type { EnrollmentStarted } from '../core/use-cases/start-enrollment.js';
import type { TwoFactorSettings } from '../core/use-cases/two-factor-settings.js';
import type { UserRow, UsersPage } from '../core/use-cases/list-users.js';
import type { VerifyLoginResult } from '../core/use-cases/verify-login.js';
import type { SteppedUp } from '../core/use-cases/step-up.js';
import type { DeviceListing } from '../core/use-cases/devices.js';

/**
 * The response bodies of API.md as zod schemas, for the OpenAPI document only: the handlers return what
 * the use cases build. The `Documents` checks at the bottom make the type checker refuse a use case whose
 * result no longer fits its documented schema, and the OpenAPI conformance test parses real responses
 * with these schemas and refuses any field they do not name.
 */
export const timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');
export const count = z.number().int().min(0);

export const userView = z.object({ id: z.string(), email: z.string(), role: z.enum(['admin', 'member']) });

export const sessionView = z.object({
  token: z.string().describe('Opaque bearer token (256 random bits); send it as `Authorization: Bearer <token>`.'),
  expiresAt: timestamp,
  assurance: z.enum(['password', 'two_factor', 'remembered_device']),
});

export const deviceView = z
  .object({
    id: z.string(),
    token: z
      .string()
      .describe('Keep it in this browser and send it as `deviceToken` with every login (256 random bits; stored only as a hash).'),
    expiresAt: timestamp,
    rememberedUntil: timestamp.nullable().describe('Until when this device skips the second factor; null when it is not remembered.'),
  })
  .describe('The browser the session was issued to: the one the request presented when it was valid for this user, else a new one.');

const signedIn = z.object({ status: z.literal('SIGNED_IN'), session: sessionView, user: userView, device: deviceView });

const enrollBy = timestamp
  .nullable()
  .describe('While a grace period runs for a user without 2FA it is required for: the deadline to enroll by (a UTC midnight); else null.');

export const signedInWithOffer = signedIn.extend({
  twoFactor: z
    .object({ available: z.boolean(), suggested: z.boolean(), enrollBy })
    .describe(
      'What the portal should offer next: `available` once the published mode is not off, `suggested` for a user without 2FA under optional or in a grace period, `enrollBy` the grace deadline.',
    ),
});

export const challengeIssued = z.object({
  status: z.enum(['TWO_FACTOR_REQUIRED', 'TWO_FACTOR_ENROLLMENT_REQUIRED']),
  challenge: z.object({
    token: z
      .string()
      .describe(
        'Good for 5 minutes: for `POST /login/verify` (TWO_FACTOR_REQUIRED) or the two enrollment calls (TWO_FACTOR_ENROLLMENT_REQUIRED).',
      ),
    expiresAt: timestamp,
    rememberDeviceDays: z
      .number()
      .int()
      .min(0)
      .max(30)
      .optional()
      .describe(
        'With TWO_FACTOR_REQUIRED: for how many days `rememberDevice` lets this browser skip the second factor (0: the app does not allow it).',
      ),
  }),
});

export const passwordStepResult = z.union([signedInWithOffer, challengeIssued]);

export const verifyLoginResult = signedIn.extend({
  backupCodesRemaining: count.optional().describe('Present when a backup code was used: how many unused codes are left.'),
});

export const enrollmentStarted = z.object({
  otpauthUri: z.string().describe('otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30'),
  manualEntryKey: z.string().describe('The base32 secret in groups of four separated by spaces.'),
  qrCode: z.object({ svg: z.string(), pngDataUrl: z.string().describe('data:image/png;base64,…') }),
  expiresAt: timestamp,
});

const backupCodes = z.array(z.string().describe('xxxxx-xxxxx')).describe('10 single-use codes; shown once.');
const backupCodesFile = z.object({ filename: z.string(), contentType: z.literal('text/plain'), content: z.string() });

export const enrollmentConfirmed = z.object({
  status: z.literal('ENABLED'),
  backupCodes,
  backupCodesFile,
  session: sessionView.optional().describe('Present when the call was authorized by an enrollment challenge.'),
  device: deviceView.optional().describe('With `session`: the device it was issued to.'),
});

export const steppedUp = z.object({
  session: sessionView.extend({
    stepUpExpiresAt: timestamp.describe('Until when this session may weaken an account or an app (10 minutes).'),
  }),
});

export const deviceListing = z.object({
  devices: z.array(
    z.object({
      id: z.string(),
      createdAt: timestamp,
      lastUsedAt: timestamp,
      rememberedUntil: timestamp.nullable(),
      current: z.boolean().describe('The device this session was issued to.'),
    }),
  ),
});

export const backupCodesRegenerated = z.object({ backupCodes, backupCodesFile });

export const twoFactorDisabled = z.object({ status: z.literal('DISABLED') });

export const me = z.object({
  user: userView,
  twoFactor: z.object({
    enabled: z.boolean(),
    enabledAt: timestamp.nullable(),
    backupCodesRemaining: count.nullable().describe('null while 2FA is off.'),
    required: z.boolean().describe("Whether the published config requires 2FA of this user (the app's mode, or the user's role)."),
    enrollBy,
  }),
  app: z.object({ id: z.string(), name: z.string(), twoFactorMode: z.enum(twoFactorModes) }),
});

const rememberDeviceDays = z
  .number()
  .int()
  .min(0)
  .max(30)
  .describe('How long a device may skip the second factor once the user trusts it (0: never).');

export const role = z.enum(roles);
export const requiredGraceDays = z
  .number()
  .int()
  .min(0)
  .max(90)
  .describe('Days a user without 2FA keeps signing in once it is required for them (0: enroll at the next login).');
const requiredForRoles = z.array(role).describe('Under optional, the roles 2FA is required for all the same.');
const settingsValues = { mode: z.enum(twoFactorModes), rememberDeviceDays, requiredGraceDays, requiredForRoles };

export const twoFactorSettings = z.object({
  plan: z.enum(plans),
  allowedModes: z.array(z.enum(twoFactorModes)).describe('The modes the plan may set, weakest first.'),
  enforcementOptions: z.boolean().describe('Whether the plan may set requiredGraceDays and requiredForRoles (enterprise).'),
  draft: z.object(settingsValues),
  published: z
    .object({
      ...settingsValues,
      requiredSince: z
        .object({ admin: timestamp.optional(), member: timestamp.optional() })
        .describe('Per role 2FA is required for: since when, without a break (deadlines count from it).'),
      version: z.number().int().min(1),
      publishedAt: timestamp,
    })
    .nullable(),
  unpublishedChanges: z.boolean(),
});

export const published = z.object({
  version: z.number().int().min(1),
  publishedAt: timestamp,
  config: z.object({ twoFactor: z.object(settingsValues) }),
});

export const userSummary = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(['admin', 'member']),
  createdAt: timestamp,
  twoFactorSetupComplete: z.boolean(),
});

const nextCursor = z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.');

export const userRow = userSummary.extend({
  twoFactorStatus: z
    .enum(['enrolled', 'pending', 'overdue', 'not_required'])
    .describe('enrolled; without 2FA and required: pending (deadline ahead) or overdue; without 2FA and not required: not_required.'),
  twoFactorEnrolledAt: timestamp.nullable(),
  enrollBy: timestamp.nullable().describe('The deadline (passed or not) of a user without 2FA it is required for with a grace period.'),
});

export const usersPage = z.object({
  users: z.array(userRow),
  nextCursor,
  twoFactorColumn: z.boolean().describe('Show the "2FA setup Complete" column: true once the published mode is not off.'),
});

export const userReset = z.object({ user: userSummary });

export const auditEventsPage = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      at: timestamp,
      type: z.enum(auditEventTypes),
      actorId: z.string(),
      targetUserId: z.string().nullable(),
      detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
  ),
  nextCursor,
});

export const health = z.object({ status: z.literal('ok') });

/** API.md's error body; `codes` narrows `code` to what one response can carry. */
export function errorBody(codes: readonly [ErrorCode, ...ErrorCode[]]) {
  const has = (code: ErrorCode) => codes.includes(code);
  return z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string().describe('A sentence for people; never a stack trace or a secret.'),
      ...(has('validation_error')
        ? {
            issues: z
              .array(z.object({ path: z.string().describe('e.g. body.email, path.appId, query.limit'), message: z.string() }))
              .optional(),
          }
        : {}),
      ...(has('invalid_code')
        ? { attemptsRemaining: count.optional().describe('With invalid_code: wrong codes left before the lockout.') }
        : {}),
      ...(has('too_many_attempts') || has('service_unavailable')
        ? {
            retryAfterSeconds: z
              .number()
              .int()
              .min(1)
              .optional()
              .describe('With too_many_attempts and service_unavailable; also sent as Retry-After.'),
          }
        : {}),
    }),
  });
}

/** Read-only arrays of the domain become the plain arrays a JSON body has. */
type AsJson<T> = T extends readonly (infer Item)[] ? AsJson<Item>[] : T extends object ? { -readonly [K in keyof T]: AsJson<T[K]> } : T;
/** True when every value the service builds fits the schema that documents it. */
export type Documents<Schema extends z.ZodType, Built> = [AsJson<Built>] extends [z.output<Schema>] ? true : false;
export type Holds<Check extends true> = Check;

/** Checked by the type checker: a use case whose result outgrows its documented schema does not compile. *
 * @public (no one imports it: the type checker evaluates it where it stands)
 */
export type ResultsFitTheirSchemas = [
  Holds<Documents<typeof userView, UserView>>,
  Holds<Documents<typeof signedIn, SignedIn>>,
  Holds<Documents<typeof signedInWithOffer, SignedInWithOffer>>,
  Holds<Documents<typeof challengeIssued, ChallengeIssued>>,
  Holds<Documents<typeof verifyLoginResult, VerifyLoginResult>>,
  Holds<Documents<typeof enrollmentStarted, EnrollmentStarted>>,
  Holds<Documents<typeof enrollmentConfirmed, EnrollmentConfirmed>>,
  Holds<Documents<typeof backupCodesRegenerated, BackupCodesRegenerated>>,
  Holds<Documents<typeof me, Me>>,
  Holds<Documents<typeof twoFactorSettings, TwoFactorSettings>>,
  Holds<Documents<typeof published, Published>>,
  Holds<Documents<typeof userSummary, UserSummary>>,
  Holds<Documents<typeof steppedUp, SteppedUp>>,
  Holds<Documents<typeof deviceListing, DeviceListing>>,
  Holds<Documents<typeof usersPage, UsersPage>>,
  Holds<Documents<typeof userRow, UserRow>>,
];
