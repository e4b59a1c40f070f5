import { dependencies } from '../commons/dependencies.js';
import { logOut } from '../core/use-cases/log-out.js';
import { httpRoute } from '../http/route.js';
import { appParams, emptyBody } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams, body: emptyBody }, async ({ params, token }) => {
  await logOut(dependencies(), { appId: params.appId, token });
  return { statusCode: 204 };
});
