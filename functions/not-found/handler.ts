import { NotFoundError } from '../core/errors.js';
import { publicRoute } from '../http/pipeline.js';

/** The `$default` route: unknown paths and methods get API.md's error body, not the gateway's. */
export const handler = publicRoute({}, () => Promise.reject(new NotFoundError('The route')));
