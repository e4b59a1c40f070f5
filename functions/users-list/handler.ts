import { dependencies } from '../commons/table-dependencies.js';
import { listUsers } from '../core/use-cases/list-users.js';
import { httpRoute } from '../http/route.js';
import { appParams, usersQuery } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, query: usersQuery };

export const handler = httpRoute(request, async ({ params, query, token }) => ({
  statusCode: 200,
  body: await listUsers(dependencies(), {
    appId: params.appId,
    token,
    limit: query.limit,
    cursor: query.cursor ?? null,
    twoFactor: query.twoFactor,
  }),
}));
