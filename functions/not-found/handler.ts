import { NotFoundError } from '../core/errors.js';
import { httpRoute } from '../http/route.js';

/** The `$default` route: unknown paths and methods get API.md's error body, not the gateway's. */
export const handler = httpRoute({}, () => Promise.reject(new NotFoundError('The route')));
