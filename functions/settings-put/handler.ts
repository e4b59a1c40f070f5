import { dependencies } from '../commons/table-dependencies.js';
import { updateTwoFactorSettings } from '../core/use-cases/two-factor-settings.js';
import { httpRoute } from '../http/route.js';
import { appParams, twoFactorSettingsBody } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: twoFactorSettingsBody };

export const handler = httpRoute(request, async ({ params, body, token }) => ({
  statusCode: 200,
  body: await updateTwoFactorSettings(dependencies(), {
    appId: params.appId,
    token,
    mode: body.mode,
    rememberDeviceDays: body.rememberDeviceDays,
    requiredGraceDays: body.requiredGraceDays,
    requiredForRoles: body.requiredForRoles,
  }),
}));
