import { httpRoute } from '../http/route.js';

/** Liveness for load balancers and the local run; touches no dependency. */
export const handler = httpRoute({}, async () => ({ statusCode: 200, body: { status: 'ok' } }));
