import { publicRoute } from '../http/pipeline.js';

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = {};

/** Liveness for load balancers and the local run; touches no dependency. */
export const handler = publicRoute(request, () => Promise.resolve({ statusCode: 200, body: { status: 'ok' } }));
