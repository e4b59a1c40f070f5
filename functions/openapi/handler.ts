import { publicRoute } from '../http/pipeline.js';
import { openApiDocument } from './document.js';

/** Built on the first request and kept for the life of the instance: the schemas do not change at run time. */
let document: ReturnType<typeof openApiDocument> | undefined;

/** What the route validates; it takes nothing. */
export const request = {};

/** `GET /v1/openapi.json`: the machine-readable contract, generated from the schemas the handlers validate with. */
export const handler = publicRoute(request, () => Promise.resolve({ statusCode: 200, body: (document ??= openApiDocument()) }));
