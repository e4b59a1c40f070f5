import { dependencies } from '../commons/dependencies.js';
import { publishConfig } from '../core/use-cases/publish-config.js';
import { httpRoute } from '../http/route.js';
import { appParams, emptyBody } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams, body: emptyBody }, async ({ params, token }) => ({
  statusCode: 200,
  body: await publishConfig(dependencies(), { appId: params.appId, token }),
}));
