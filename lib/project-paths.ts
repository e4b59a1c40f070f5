import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root, resolved from this module's own location rather than `process.cwd()`, so
 * the CDK CLI, jest and an IDE all find the handler modules whatever directory they start in.
 */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The lock file that pins the dependencies esbuild bundles into each function. */
export const depsLockFilePath = join(projectRoot, 'package-lock.json');

/** Path of a step's Lambda handler module: `functions/<step>/handler.ts`. */
export function handlerEntry(step: string): string {
  return join(projectRoot, 'functions', step, 'handler.ts');
}
