import { z } from 'zod';
import { dependencies } from '../commons/dependencies.js';
import { twoFactorModes } from '../core/model.js';
import { updateTwoFactorSettings } from '../core/use-cases/two-factor-settings.js';
import { httpRoute } from '../http/route.js';
import { appParams } from '../http/schemas.js';

export const handler = httpRoute(
  { params: appParams, body: z.strictObject({ mode: z.enum(twoFactorModes) }) },
  async ({ params, body, token }) => ({
    statusCode: 200,
    body: await updateTwoFactorSettings(dependencies(), { appId: params.appId, token, mode: body.mode }),
  }),
);
