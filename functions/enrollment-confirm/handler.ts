import { dependencies } from '../commons/dependencies.js';
import { confirmEnrollment } from '../core/use-cases/confirm-enrollment.js';
import { httpRoute } from '../http/route.js';
import { appParams, codeBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: codeBody };

export const handler = httpRoute(request, async ({ params, body, token }) => ({
  statusCode: 200,
  body: await confirmEnrollment(dependencies(), { appId: params.appId, token, code: body.code }),
}));
