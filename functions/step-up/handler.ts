import { dependencies } from '../commons/dependencies.js';
import { stepUp } from '../core/use-cases/step-up.js';
import { httpRoute } from '../http/route.js';
import { appParams, secondFactorOf, stepUpBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: stepUpBody };

export const handler = httpRoute(request, async ({ params, body, token }) => ({
  statusCode: 200,
  body: await stepUp(dependencies(), { appId: params.appId, token, ...secondFactorOf(body) }),
}));
