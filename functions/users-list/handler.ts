import { dependencies } from '../commons/dependencies.js';
import { listUsers } from '../core/use-cases/list-users.js';
import { httpRoute } from '../http/route.js';
import { appParams, pageQuery } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams, query: pageQuery }, async ({ params, query, token }) => ({
  statusCode: 200,
  body: await listUsers(dependencies(), { appId: params.appId, token, limit: query.limit, cursor: query.cursor ?? null }),
}));
