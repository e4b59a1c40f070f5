import { z } from 'zod';
import { dependencies } from '../commons/dependencies.js';
import { verifyLogin } from '../core/use-cases/verify-login.js';
import { httpRoute } from '../http/route.js';
import { appParams, backupCode, token, totpCode } from '../http/schemas.js';

/** Exactly one second factor: a code from the authenticator app or a backup code. */
const verifyBody = z.union([
  z.strictObject({ challengeToken: token, code: totpCode }),
  z.strictObject({ challengeToken: token, backupCode }),
]);

export const handler = httpRoute({ params: appParams, body: verifyBody }, async ({ params, body }) => ({
  statusCode: 200,
  body: await verifyLogin(dependencies(), { appId: params.appId, ...body }),
}));
