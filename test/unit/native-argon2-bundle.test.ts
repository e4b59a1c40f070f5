import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { nativeArgon2Externals, nativeArgon2FileName } from '../../lib/native-argon2.js';

/**
 * On Lambda a bundle finds @node-rs/argon2's binary through `NAPI_RS_NATIVE_LIBRARY_PATH` (lib/native-argon2.ts):
 * hashing.ts bundled as the functions are (CommonJS, the addon's platform packages external), then loaded in a
 * fresh process with the variable naming this machine's binary copied beside the bundle, as the synth copies
 * Lambda's, or naming nothing.
 */
let directory: string;
let bundle: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'native-argon2-'));
  bundle = join(directory, 'index.js');
  await build({
    entryPoints: [new URL('../../functions/core/hashing.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: nativeArgon2Externals,
    outfile: bundle,
    logLevel: 'silent',
  });
  const require = createRequire(import.meta.url);
  const thisMachines = `@node-rs/argon2-${process.platform}-${process.arch}-gnu`;
  const binary = join(dirname(require.resolve(`${thisMachines}/package.json`)), `argon2.${process.platform}-${process.arch}-gnu.node`);
  copyFileSync(binary, join(directory, nativeArgon2FileName));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** What the bundle hashes with, and its hash of a recorded password and salt, with `NAPI_RS_NATIVE_LIBRARY_PATH` = `path`. */
function hashInBundle(path: string): { implementation: string; encoded: string } {
  const script = `
    const h = require(${JSON.stringify(bundle)});
    (async () => process.stdout.write(JSON.stringify({
      implementation: await h.argon2Implementation(),
      encoded: await h.hashPasswordWithSalt('correct horse battery staple', Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex')),
    })))();`;
  // From the temporary folder: the project's node_modules are out of the bundle's reach, as on Lambda.
  const output = execFileSync(process.execPath, ['-e', script], {
    cwd: directory,
    env: { PATH: process.env.PATH, NAPI_RS_NATIVE_LIBRARY_PATH: path },
    encoding: 'utf8',
  });
  return JSON.parse(output) as { implementation: string; encoded: string };
}

/** The hash Node 24's crypto.argon2 made of that password and salt (test/unit/argon2-implementations.test.ts). */
const recorded = '$argon2id$v=19$m=19456,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$gYJZtjEAJqjg26xdLmknq8/bB7MiWPrE9hsYuA+SkIU';

describe('a bundle that hashes', () => {
  it('opens the binary the environment names, beside it', () => {
    expect(hashInBundle(join(directory, nativeArgon2FileName))).toEqual({ implementation: '@node-rs/argon2', encoded: recorded });
  });

  it('falls back to hash-wasm, with the same hash, when the named binary is not there', () => {
    expect(hashInBundle(join(directory, 'missing.node'))).toEqual({ implementation: 'hash-wasm', encoded: recorded });
  });
});
