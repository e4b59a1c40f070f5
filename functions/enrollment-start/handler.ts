import { dependencies } from '../commons/dependencies.js';
import { startEnrollment } from '../core/use-cases/start-enrollment.js';
import { httpRoute } from '../http/route.js';
import { appParams, emptyBody } from '../http/schemas.js';

export const handler = httpRoute({ params: appParams, body: emptyBody }, async ({ params, token }) => ({
  statusCode: 201,
  body: await startEnrollment(dependencies(), { appId: params.appId, token }),
}));
