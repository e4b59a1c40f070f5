import { dependencies } from '../commons/dependencies.js';
import { verifyLogin } from '../core/use-cases/verify-login.js';
import { httpRoute } from '../http/route.js';
import { appParams, secondFactorOf, verifyLoginBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: verifyLoginBody };

export const handler = httpRoute(request, async ({ params, body }) => ({
  statusCode: 200,
  body: await verifyLogin(dependencies(), {
    appId: params.appId,
    challengeToken: body.challengeToken,
    rememberDevice: body.rememberDevice,
    ...secondFactorOf(body),
  }),
}));
