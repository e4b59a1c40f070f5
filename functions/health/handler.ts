import { httpRoute } from '../http/route.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = {};

/** Liveness for load balancers and the local run; touches no dependency. */
export const handler = httpRoute(request, () => Promise.resolve({ statusCode: 200, body: { status: 'ok' } }));
