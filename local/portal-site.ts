import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { build } from 'esbuild';

const portalDirectory = fileURLToPath(new URL('../portal/', import.meta.url));

/**
 * The reference portal's page may run only its own script and style, show its own images plus the QR
 * code's `data:` PNG, and talk only to this origin (the API). The API's JSON keeps its own stricter
 * policy (`default-src 'none'`), set by the handlers.
 */
const portalContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  contentType: string;
  body: Buffer;
}

export interface PortalSite {
  /** Answers a GET (or HEAD) of a path outside `/v1`: an asset, else the page itself (the portal routes in the browser). */
  serve(pathname: string, response: ServerResponse, headOnly: boolean): void;
}

/** True for the API's paths, which the portal never answers. */
export function isApiPath(pathname: string): boolean {
  return pathname === '/v1' || pathname.startsWith('/v1/');
}

/**
 * Bundles the portal (portal/src, TypeScript with Preact's TSX) with esbuild in memory, once, when the local
 * stack starts, so `npm start` always serves the portal of the working tree without a build step or build output.
 */
export async function buildPortalSite(): Promise<PortalSite> {
  const [bundle, page, styles, favicon] = await Promise.all([
    build({
      entryPoints: [`${portalDirectory}src/main.tsx`],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      write: false,
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      outfile: 'portal.js',
    }),
    readFile(`${portalDirectory}index.html`),
    readFile(`${portalDirectory}styles.css`),
    readFile(`${portalDirectory}icon.svg`),
  ]);
  const [script] = bundle.outputFiles;
  if (!script) throw new Error('esbuild produced no portal bundle');
  const assets = new Map<string, Asset>([
    ['/assets/portal.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(script.contents) }],
    ['/assets/portal.css', { contentType: 'text/css; charset=utf-8', body: styles }],
    ['/assets/icon.svg', { contentType: 'image/svg+xml', body: favicon }],
  ]);
  const html: Asset = { contentType: 'text/html; charset=utf-8', body: page };

  return {
    serve(pathname, response, headOnly) {
      const asset = assets.get(pathname);
      // A path with a file extension that is no asset is a missing file, not a page of the portal.
      if (!asset && /\.[A-Za-z0-9]+$/.test(pathname)) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
        response.end(headOnly ? undefined : 'Not found');
        return;
      }
      const { contentType, body } = asset ?? html;
      response.writeHead(200, {
        'content-type': contentType,
        'content-length': String(body.length),
        'content-security-policy': portalContentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cache-control': 'no-cache',
      });
      response.end(headOnly ? undefined : body);
    },
  };
}
