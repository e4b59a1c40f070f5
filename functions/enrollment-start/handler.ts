import { dependencies } from '../commons/dependencies.js';
import { startEnrollment } from '../core/use-cases/start-enrollment.js';
import { httpRoute } from '../http/route.js';
import { appParams, emptyBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: emptyBody };

export const handler = httpRoute(request, async ({ params, token }) => ({
  statusCode: 201,
  body: await startEnrollment(dependencies(), { appId: params.appId, token }),
}));
