import * as z from 'zod';
import { maxRequiredGraceDays } from '../core/enforcement.js';
import { roles, twoFactorModes } from '../core/model.js';
import { maxRememberDeviceDays } from '../core/plans.js';

/**
 * The request schemas: the handlers validate with these very objects and `functions/openapi` documents
 * them, so the OpenAPI document cannot drift from what is enforced. Every object is strict, so unknown
 * fields are refused.
 */
export const appId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an app id');
export const userId = z.string().regex(/^usr_[A-Za-z0-9_-]{22}$/, 'must be a user id');
export const email = z.email().max(254);
/** An unpaired UTF-16 surrogate: hashed as UTF-8 it becomes U+FFFD, so two different ones would match. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** NIST SP 800-63B: at least 8 characters, at least 64 allowed; the cap bounds hashing work. */
const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256)
  .refine((value) => !loneSurrogate.test(value), 'must be valid Unicode text');
/**
 * A password being set (sign-up, an app's first admin): at least 8 characters once NFKC-normalized, as it
 * is hashed, so "é" typed as two code points does not count twice. A login takes `password` as it is, so
 * a password set before normalization still signs in.
 */
export const newPassword = password.refine((value) => value.normalize('NFKC').length >= 8, 'must be at least 8 characters');
const totpCode = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app');
const backupCode = z.string().min(10).max(32);
const token = z.string().min(1).max(512);
/**
 * A web origin a browser sends in `Origin`: https (or http on this machine only), a host, an optional
 * port, nothing else. Wildcards are refused on purpose: each portal is named.
 */
const webOrigin = z
  .string()
  .regex(
    /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/,
    'must be an origin such as https://portal.example.com',
  );
export const allowedOrigins = z.array(webOrigin).max(20);

export const appParams = z.strictObject({ appId });
export const appUserParams = z.strictObject({ appId, userId });
const deviceId = z.string().regex(/^dev_[A-Za-z0-9_-]{22}$/, 'must be a device id');
export const appDeviceParams = z.strictObject({ appId, deviceId });
export const credentialsBody = z.strictObject({ email, password: newPassword });
/** `POST /login`: the credentials, and the device token this browser keeps, if it has one. */
export const loginBody = z.strictObject({ email, password, deviceToken: token.optional() });
export const codeBody = z.strictObject({ code: totpCode });
export const emptyBody = z.strictObject({}).optional();
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

/** `POST /login/verify`: exactly one second factor, a code from the authenticator app or a backup code. */
export const verifyLoginBody = z
  .strictObject({
    challengeToken: token,
    code: totpCode.optional(),
    backupCode: backupCode.optional(),
    rememberDevice: z.boolean().optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.backupCode === undefined), {
    error: 'send either code or backupCode, not both',
    path: ['code'],
  });

/**
 * The one second factor of a validated body: the schemas above refuse a body with both or neither, so the
 * last branch only runs if a schema and a handler fall out of step.
 */
export function secondFactorOf(body: {
  code?: string | undefined;
  backupCode?: string | undefined;
}): { code: string } | { backupCode: string } {
  if (body.code !== undefined) return { code: body.code };
  if (body.backupCode !== undefined) return { backupCode: body.backupCode };
  throw new Error('a second-factor body passed validation with neither code nor backupCode');
}

/** `POST /2fa/step-up`: exactly one second factor, a code from the authenticator app or a backup code. */
export const stepUpBody = z
  .strictObject({ code: totpCode.optional(), backupCode: backupCode.optional() })
  .refine((body) => (body.code === undefined) !== (body.backupCode === undefined), {
    error: 'send either code or backupCode, not both',
    path: ['code'],
  });

/**
 * `PUT /settings/two-factor`: the draft mode, how long a device may be remembered, the grace period and the
 * roles 2FA is required for under `optional` (each optional one absent: unchanged).
 */
export const twoFactorSettingsBody = z.strictObject({
  mode: z.enum(twoFactorModes),
  rememberDeviceDays: z.number().int().min(0).max(maxRememberDeviceDays).optional(),
  requiredGraceDays: z.number().int().min(0).max(maxRequiredGraceDays).optional(),
  requiredForRoles: z
    .array(z.enum(roles))
    .max(roles.length)
    .refine((list) => new Set(list).size === list.length, 'must not name a role twice')
    .optional(),
});

/** `GET /users` and `GET /users.csv`: a page, optionally only users with 2FA (`enrolled`) or without (`pending`). */
export const usersQuery = pageQuery.extend({ twoFactor: z.enum(['enrolled', 'pending']).optional() });

/** `GET /users.csv`: up to 1,000 rows a part. */
export const usersCsvQuery = usersQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(1000) });

/**
 * `POST /users/{userId}/2fa/reset`: an optional reason, kept in the audit event and told to the user in the
 * security email, unless `reasonInternal` (the audit log keeps it, the email leaves it out).
 */
export const resetTwoFactorBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional(), reasonInternal: z.boolean().optional() })
  .optional();
