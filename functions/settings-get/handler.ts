import { dependencies } from '../commons/table-dependencies.js';
import { getTwoFactorSettings } from '../core/use-cases/two-factor-settings.js';
import { httpRoute } from '../http/route.js';
import { appParams } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams };

export const handler = httpRoute(request, async ({ params, token }) => ({
  statusCode: 200,
  body: await getTwoFactorSettings(dependencies(), { appId: params.appId, token }),
}));
