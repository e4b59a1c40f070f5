import { dependencies } from '../commons/table-dependencies.js';
import { forgetDevice } from '../core/use-cases/devices.js';
import { httpRoute } from '../http/route.js';
import { appDeviceParams } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appDeviceParams };

export const handler = httpRoute(request, async ({ params, token }) => {
  await forgetDevice(dependencies(), { appId: params.appId, token, deviceId: params.deviceId });
  return { statusCode: 204 };
});
