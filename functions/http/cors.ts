import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dependencies } from '../commons/table-dependencies.js';
import { allowedOriginsOf } from '../core/use-cases/allowed-origins.js';
import { appId as appIdSchema } from './schemas.js';

type Result = APIGatewayProxyStructuredResultV2;

/** How long a function instance trusts what it read of an app's allowed origins. */
const originCacheMs = 30_000;
const maxCachedApps = 1_000;
/** By app id only: a client picks its `Origin` freely, so keying by it would let one cost a read per request. */
const originsByApp = new Map<string, { origins: readonly string[]; until: number }>();

/** Headers a browser page may read from our answers (a lockout's wait, a backup-codes file name). */
const exposedHeaders = 'Retry-After, Content-Disposition, X-Next-Cursor';

/**
 * Whether a page of `origin` may call app `appId` from a browser; read from the app and remembered for
 * 30 s, so a browser's calls do not each cost a read. Unknown apps and malformed ids allow nothing.
 */
export async function originAllowed(appId: string | undefined, origin: string | undefined): Promise<boolean> {
  if (!origin || !appId || !appIdSchema.safeParse(appId).success) return false;
  const now = Date.now();
  let cached = originsByApp.get(appId);
  if (!cached || cached.until <= now) {
    if (originsByApp.size >= maxCachedApps) originsByApp.clear();
    cached = { origins: await allowedOriginsOf(dependencies(), appId), until: now + originCacheMs };
    originsByApp.set(appId, cached);
  }
  return cached.origins.includes(origin);
}

/**
 * CORS for an app's routes: a browser page may read the answer only when its origin is one of the app's
 * allowed origins (no wildcard, no credentials: tokens travel in `Authorization`). Other origins get no
 * CORS headers, so the browser keeps the answer from them.
 */
export function cors(): MiddlewareObj<APIGatewayProxyEventV2, Result> {
  const decorate = async (event: APIGatewayProxyEventV2, response: Result | null | undefined) => {
    const appId = event.pathParameters?.appId;
    if (!response || !appId) return;
    response.headers = { ...response.headers, vary: 'Origin' };
    const origin = event.headers.origin;
    // A failing store must not turn an answer into a 500: no CORS headers then.
    if (origin === undefined || !(await originAllowed(appId, origin).catch(() => false))) return;
    response.headers = { ...response.headers, 'access-control-allow-origin': origin, 'access-control-expose-headers': exposedHeaders };
  };
  return {
    after: ({ event, response }) => decorate(event, response),
    onError: ({ event, response }) => decorate(event, response),
  };
}
