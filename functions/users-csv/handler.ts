import { dependencies } from '../commons/table-dependencies.js';
import { exportUsers } from '../core/use-cases/export-users.js';
import { httpRoute } from '../http/route.js';
import { appParams, usersCsvQuery } from '../http/schemas.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, query: usersCsvQuery };

/**
 * The users table as CSV, a download. The file name holds only the app id, which the path schema keeps to
 * letters, digits, `_` and `-`. When more rows follow, `X-Next-Cursor` says where the next part starts.
 */
export const handler = httpRoute(request, async ({ params, query, token }) => {
  const part = await exportUsers(dependencies(), {
    appId: params.appId,
    token,
    limit: query.limit,
    cursor: query.cursor ?? null,
    twoFactor: query.twoFactor,
  });
  return {
    statusCode: 200,
    text: part.csv,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="users-${params.appId}.csv"`,
      ...(part.nextCursor ? { 'x-next-cursor': part.nextCursor } : {}),
    },
  };
});
