import { dependencies } from '../commons/table-dependencies.js';
import { unlockUser } from '../core/use-cases/reset-two-factor.js';
import { httpRoute } from '../http/route.js';
import { appUserParams, emptyBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appUserParams, body: emptyBody };

export const handler = httpRoute(request, async ({ params, token }) => ({
  statusCode: 200,
  body: await unlockUser(dependencies(), { appId: params.appId, token, userId: params.userId }),
}));
