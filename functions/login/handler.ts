import { dependencies } from '../commons/table-dependencies.js';
import { logIn } from '../core/use-cases/log-in.js';
import { httpRoute } from '../http/route.js';
import { appParams, loginBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: loginBody };

export const handler = httpRoute(request, async ({ params, body }) => ({
  statusCode: 200,
  body: await logIn(dependencies(), { appId: params.appId, email: body.email, password: body.password, deviceToken: body.deviceToken }),
}));
