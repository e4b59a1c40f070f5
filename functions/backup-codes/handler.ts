import { dependencies } from '../commons/dependencies.js';
import { regenerateBackupCodes } from '../core/use-cases/regenerate-backup-codes.js';
import { httpRoute } from '../http/route.js';
import { appParams, codeBody } from '../http/schemas.js';

/** `Accept: text/plain` (preferred over JSON) answers with the .txt file itself, as a download. */
function wantsTextFile(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text >= 0 && (json < 0 || text < json);
}

/**
 * `Content-Disposition: attachment` for the file. The name derives from the tenant's app name; the core
 * already keeps it to ASCII letters, digits and hyphens, and this header does not rely on that: anything
 * else (a quote, CR or LF that would end the parameter or the header, a path separator) becomes `-`.
 */
function attachment(filename: string): string {
  const safe = filename.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '') || 'backup-codes.txt';
  return `attachment; filename="${safe}"`;
}

/** What the route validates; `functions/openapi` documents these very schemas. */
export const request = { params: appParams, body: codeBody };

export const handler = httpRoute(request, async ({ params, body, token, headers }) => {
  const regenerated = await regenerateBackupCodes(dependencies(), { appId: params.appId, token, code: body.code });
  if (wantsTextFile(headers.accept)) {
    const file = regenerated.backupCodesFile;
    return {
      statusCode: 200,
      text: file.content,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': attachment(file.filename) },
    };
  }
  return { statusCode: 200, body: regenerated };
});
