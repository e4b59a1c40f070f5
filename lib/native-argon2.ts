import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { projectRoot } from './project-paths.js';

/**
 * The linux-arm64 (glibc) binary of `@node-rs/argon2`, the native Argon2 functions/core/hashing.ts computes
 * with. npm installs the addon only for the machine it runs on, so the root package's `postinstall` installs
 * Lambda's into `lambda-native/` (npm's `--cpu=arm64 --os=linux --libc=glibc`, pinned by that folder's lockfile).
 */
const nativeArgon2Binary = join(projectRoot, 'lambda-native/node_modules/@node-rs/argon2-linux-arm64-gnu/argon2.linux-arm64-gnu.node');

/** Where a bundle that hashes finds the binary on Lambda: beside index.js, in `/var/task`. */
export const nativeArgon2FileName = 'argon2.linux-arm64-gnu.node';

/**
 * The environment that makes `@node-rs/argon2`'s loader open the binary directly, skipping its search (which
 * on Lambda, with no `/usr/bin/ldd`, would build a whole process report to tell glibc from musl).
 */
export const nativeArgon2Environment = { NAPI_RS_NATIVE_LIBRARY_PATH: `/var/task/${nativeArgon2FileName}` } as const;

/**
 * The loader's own mark: a bundle that contains it hashes with the addon, so it gets the binary; the others
 * (health, me, …) do not carry half a megabyte they never open.
 */
const loaderMark = 'NAPI_RS_NATIVE_LIBRARY_PATH';

/** esbuild leaves the addon's platform packages to the runtime: the binary is copied in after bundling instead. */
export const nativeArgon2Externals = ['@node-rs/argon2-*'];

/** Copies the binary beside each bundle that loads the addon; fails the synth if `npm install` has not fetched it. */
export const nativeArgon2Hooks: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => {
    if (!existsSync(nativeArgon2Binary)) {
      throw new Error(`${nativeArgon2Binary} is missing: run npm install (its postinstall fetches Lambda's Argon2 binary)`);
    }
    return [`if grep -q ${loaderMark} "${outputDir}/index.js"; then cp "${nativeArgon2Binary}" "${outputDir}/${nativeArgon2FileName}"; fi`];
  },
};
