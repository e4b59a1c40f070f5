import { dependencies } from '../commons/table-dependencies.js';
import { publishConfig } from '../core/use-cases/publish-config.js';
import { httpRoute } from '../http/route.js';
import { appParams, emptyBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: emptyBody };

export const handler = httpRoute(request, async ({ params, token, deadline }) => ({
  statusCode: 200,
  body: await publishConfig(dependencies(), { appId: params.appId, token, deadline }),
}));
