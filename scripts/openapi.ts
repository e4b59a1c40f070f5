import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../functions/openapi/document.js';
import { committedDocumentPath, portalClientTypesPath, renderClientTypes, renderDocument } from './openapi-files.js';

/**
 * `npm run openapi`: writes the OpenAPI document (docs/openapi.json) and the portal's client types generated
 * from it (portal/src/api/schema.ts). The OpenAPI test fails while either is out of date.
 */
const document = openApiDocument();
writeFileSync(committedDocumentPath, renderDocument(document));
writeFileSync(portalClientTypesPath, await renderClientTypes(document));
console.log(`wrote ${committedDocumentPath} and ${portalClientTypesPath}`);
