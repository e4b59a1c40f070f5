import { httpRoute } from '../http/route.js';

/** Liveness for load balancers and the local run; touches no dependency. */
/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = {};

export const handler = httpRoute(request, async () => ({ statusCode: 200, body: { status: 'ok' } }));
