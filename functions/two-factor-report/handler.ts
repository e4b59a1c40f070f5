import { dependencies } from '../commons/table-dependencies.js';
import { enrollmentReport } from '../core/use-cases/enrollment-report.js';
import { httpRoute } from '../http/route.js';
import { appParams } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams };

export const handler = httpRoute(request, async ({ params, token }) => ({
  statusCode: 200,
  body: await enrollmentReport(dependencies(), { appId: params.appId, token }),
}));
