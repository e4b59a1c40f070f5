import { dependencies } from '../commons/dependencies.js';
import { logIn } from '../core/use-cases/log-in.js';
import { httpRoute } from '../http/route.js';
import { appParams, credentialsBody } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams, body: credentialsBody }, async ({ params, body }) => ({
  statusCode: 200,
  body: await logIn(dependencies(), { appId: params.appId, email: body.email, password: body.password }),
}));
