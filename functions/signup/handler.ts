import { dependencies } from '../commons/table-dependencies.js';
import { signUp } from '../core/use-cases/sign-up.js';
import { httpRoute } from '../http/route.js';
import { appParams, credentialsBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: credentialsBody };

export const handler = httpRoute(request, async ({ params, body }) => ({
  statusCode: 201,
  body: await signUp(dependencies(), { appId: params.appId, email: body.email, password: body.password }),
}));
