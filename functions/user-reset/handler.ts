import { z } from 'zod';
import { dependencies } from '../commons/dependencies.js';
import { adminResetTwoFactor } from '../core/use-cases/reset-two-factor.js';
import { httpRoute } from '../http/route.js';
import { appUserParams } from '../http/schemas.js';

const resetBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional();

export const handler = httpRoute({ params: appUserParams, body: resetBody }, async ({ params, body, token }) => ({
  statusCode: 200,
  body: await adminResetTwoFactor(dependencies(), { appId: params.appId, userId: params.userId, token, reason: body?.reason ?? null }),
}));
