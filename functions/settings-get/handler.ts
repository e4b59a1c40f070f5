import { dependencies } from '../commons/dependencies.js';
import { getTwoFactorSettings } from '../core/use-cases/two-factor-settings.js';
import { httpRoute } from '../http/route.js';
import { appParams } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams }, async ({ params, token }) => ({
  statusCode: 200,
  body: await getTwoFactorSettings(dependencies(), { appId: params.appId, token }),
}));
