import { dependencies } from '../commons/dependencies.js';
import { signUp } from '../core/use-cases/sign-up.js';
import { httpRoute } from '../http/route.js';
import { appParams, credentialsBody } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams, body: credentialsBody }, async ({ params, body }) => ({
  statusCode: 201,
  body: await signUp(dependencies(), { appId: params.appId, email: body.email, password: body.password }),
}));
