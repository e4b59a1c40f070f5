import { dependencies } from '../commons/dependencies.js';
import { getMe } from '../core/use-cases/get-me.js';
import { httpRoute } from '../http/route.js';
import { appParams } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams }, async ({ params, token }) => ({
  statusCode: 200,
  body: await getMe(dependencies(), { appId: params.appId, token }),
}));
