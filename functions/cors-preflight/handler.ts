import * as z from 'zod';
import { ForbiddenError } from '../core/errors.js';
import { originAllowed } from '../http/cors.js';
import { httpRoute } from '../http/route.js';
import { appId } from '../http/schemas.js';

/** What a page of an allowed origin may send: our methods and the two headers our API reads. */
const allowedMethods = 'GET, POST, PUT';
const allowedHeaders = 'Authorization, Content-Type, Accept';
/** Browsers cap this (Chromium at 2 hours); 10 minutes lets an origin removal take effect soon. */
const preflightMaxAgeSeconds = 600;

/**
 * A browser's CORS preflight for any path of an app. An origin the app allows gets the methods and
 * headers it may use (the `cors` middleware adds `Access-Control-Allow-Origin`); any other gets 403.
 */
export const handler = httpRoute({ params: z.strictObject({ appId, proxy: z.string().max(1024) }) }, async ({ params, headers }) => {
  if (!(await originAllowed(params.appId, headers.origin))) throw new ForbiddenError("This origin may not call this app's API.");
  return {
    statusCode: 204,
    headers: {
      'access-control-allow-methods': allowedMethods,
      'access-control-allow-headers': allowedHeaders,
      'access-control-max-age': String(preflightMaxAgeSeconds),
    },
  };
});
