import { z } from 'zod';
import { dependencies } from '../commons/dependencies.js';
import { verifyLogin } from '../core/use-cases/verify-login.js';
import { httpRoute } from '../http/route.js';
import { appParams, backupCode, token, totpCode } from '../http/schemas.js';

/** Exactly one second factor: a code from the authenticator app or a backup code. */
const verifyBody = z
  .strictObject({ challengeToken: token, code: totpCode.optional(), backupCode: backupCode.optional() })
  .refine((body) => (body.code === undefined) !== (body.backupCode === undefined), {
    message: 'send either code or backupCode, not both',
    path: ['code'],
  });

export const handler = httpRoute({ params: appParams, body: verifyBody }, async ({ params, body }) => ({
  statusCode: 200,
  body: await verifyLogin(
    dependencies(),
    body.code !== undefined
      ? { appId: params.appId, challengeToken: body.challengeToken, code: body.code }
      : { appId: params.appId, challengeToken: body.challengeToken, backupCode: body.backupCode! },
  ),
}));
