import { dependencies } from '../commons/table-dependencies.js';
import { logOut } from '../core/use-cases/log-out.js';
import { httpRoute } from '../http/route.js';
import { appParams, emptyBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: emptyBody };

export const handler = httpRoute(request, async ({ params, token }) => {
  await logOut(dependencies(), { appId: params.appId, token });
  return { statusCode: 204 };
});
