import * as z from 'zod';
import { dependencies } from '../commons/dependencies.js';
import { plans } from '../core/model.js';
import { createApp } from '../core/use-cases/create-app.js';
import { platformFunction } from '../http/platform.js';
import { allowedOrigins, email, newPassword } from '../http/schemas.js';

/**
 * What an app's name may not hold: controls (Cc, among them CR, LF, TAB, DEL and C1), format characters
 * (Cf: bidi marks, embeddings, overrides and isolates, zero-width characters), line and paragraph
 * separators (Zl, Zp) and unpaired surrogates (Cs). The name is printed in files and shown to users
 * (the backup-codes .txt, the authenticator's issuer, the portal): with these it could add a line such as
 * a fake `Account:`, or show its text in another order than it is stored.
 */
const invisibleOrLineBreaking = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** The app's display name: judged before trimming, so a TAB or a newline at either end is refused too. */
export const appName = z
  .string()
  .refine(
    (value) => !invisibleOrLineBreaking.test(value),
    'must not contain control characters, line breaks or invisible formatting characters',
  )
  .trim()
  .min(1)
  .max(100);

/** `createApp`'s payload. */
export const createAppInput = z.strictObject({
  name: appName,
  plan: z.enum(plans),
  adminEmail: email,
  adminPassword: newPassword,
  allowedOrigins: allowedOrigins.optional(),
});

/** Platform engineers only: invoked with IAM, no public route. */
export const handler = platformFunction('create-app', createAppInput, (input) => createApp(dependencies(), input));
