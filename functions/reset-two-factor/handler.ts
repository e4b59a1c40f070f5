import * as z from 'zod';
import { dependencies } from '../commons/table-dependencies.js';
import { resetUserTwoFactor } from '../core/use-cases/reset-two-factor.js';
import { platformFunction } from '../http/platform.js';
import { appId, userId } from '../http/schemas.js';

export const resetTwoFactorInput = z.strictObject({
  appId,
  userId,
  reason: z.string().trim().min(1).max(500),
  /** Keep the reason out of the user's security email (the audit log still has it). */
  reasonInternal: z.boolean().optional(),
  actor: z.string().trim().min(1).max(200),
});

/** Platform engineers only: the admin reset, for support cases; the audit log names the actor. */
export const handler = platformFunction(
  'reset-two-factor',
  resetTwoFactorInput,
  (input) =>
    resetUserTwoFactor(dependencies(), {
      appId: input.appId,
      userId: input.userId,
      reason: input.reason,
      reasonInternal: input.reasonInternal ?? false,
      actorId: `platform:${input.actor}`,
    }),
  'Resets',
);
