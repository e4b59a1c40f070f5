import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

/** Where the generated contract is committed, and the portal's types generated from it. */
export const committedDocumentPath = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
export const portalClientTypesPath = fileURLToPath(new URL('../portal/src/api/schema.ts', import.meta.url));

export function renderDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The TypeScript `paths` and `components` types of the document, which the portal's openapi-fetch client is typed with. */
export async function renderClientTypes(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { exportType: true, alphabetize: false });
  return `/**\n * Generated from docs/openapi.json by \`npm run openapi\` (openapi-typescript); do not edit.\n */\n\n${astToString(ast)}`;
}
