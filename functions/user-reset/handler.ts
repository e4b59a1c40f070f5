import { dependencies } from '../commons/table-dependencies.js';
import { adminResetTwoFactor } from '../core/use-cases/reset-two-factor.js';
import { httpRoute } from '../http/route.js';
import { appUserParams, resetTwoFactorBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appUserParams, body: resetTwoFactorBody };

export const handler = httpRoute(request, async ({ params, body, token }) => ({
  statusCode: 200,
  body: await adminResetTwoFactor(dependencies(), {
    appId: params.appId,
    userId: params.userId,
    token,
    reason: body?.reason ?? null,
    reasonInternal: body?.reasonInternal ?? false,
  }),
}));
