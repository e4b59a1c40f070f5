import { join } from 'node:path';
import { projectRoot } from './project-paths.js';

/**
 * Packages a function loads only on some invocations, by a dynamic `import()`: the Powertools Tracer (only on
 * sampled invocations, functions/commons/tracing.ts) and hash-wasm (only if the native Argon2 does not load,
 * functions/core/hashing.ts). Inside index.js even code that never runs is parsed at every cold start, so each
 * is left out of the function's bundle and bundled on its own beside it, as `node_modules/<name>/index.js`,
 * where Node's `require` finds it the first time it is needed (docs/runtime-and-bundles.md has the figures).
 */
export const deferredModules = ['@aws-lambda-powertools/tracer', 'hash-wasm'] as const;

const esbuild = join(projectRoot, 'node_modules/.bin/esbuild');

/**
 * The shell commands that bundle each deferred package the function's bundle imports (minified CommonJS for
 * Node 24, ESM builds preferred as for the functions), into `outputDir/node_modules/<name>/index.js`.
 */
export function deferredModuleCommands(outputDir: string): string[] {
  return deferredModules.map((name) => {
    const target = join(outputDir, 'node_modules', name, 'index.js');
    return (
      `if grep -qE '(import|require)\\("${name}"\\)' "${join(outputDir, 'index.js')}"; then ` +
      // An ESM entry, so the bundle ends with esbuild's list of its exports, from which Node's `import()` of a
      // CommonJS file takes the named exports.
      `echo 'export * from "${name}";' | (cd "${projectRoot}" && "${esbuild}" --bundle --platform=node --format=cjs ` +
      `--target=node24 --main-fields=module,main --minify --log-level=warning --outfile="${target}"); fi`
    );
  });
}
