import { execFile } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { argon2id, argon2Verify } from 'hash-wasm';
import { argon2Implementation, hashBackupCode, hashPassword, hashPasswordWithSalt, verifyPassword } from '../../functions/core/hashing.js';

/**
 * functions/core/hashing.ts computes Argon2id with @node-rs/argon2 (a native addon, which npm installs for this
 * machine and the Lambda bundles carry for linux-arm64) and with hash-wasm where no native binary loads. Stored
 * hashes must not care which one made them: the same PHC string for the same salt, and each verifies the other's.
 * Earlier builds hashed with Node 24's own `crypto.argon2` on Lambda: its hashes, recorded below, still verify.
 */

const projectRoot = new URL('../../', import.meta.url);
const hashingModule = new URL('functions/core/hashing.ts', projectRoot).href;

/**
 * Hashes Node 24.22.3's `crypto.argon2` made through hashing.ts (password cost m=19456, t=2, p=1; NFKC applied first),
 * recorded so that every machine checks its implementation against them, Node 24 binary or not.
 */
const recordedPasswordHashes = [
  {
    password: 'correct horse battery staple',
    saltHex: '000102030405060708090a0b0c0d0e0f',
    encoded: '$argon2id$v=19$m=19456,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$gYJZtjEAJqjg26xdLmknq8/bB7MiWPrE9hsYuA+SkIU',
  },
  {
    password: 'café crème brûlée'.normalize('NFD'),
    saltHex: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
    encoded: '$argon2id$v=19$m=19456,t=2,p=1$8OHSw7Sllod4aVpLPC0eDw$3r9Ppcw+IFrIvi1EwusNK5jAXFnj+C8DfvU4ilqcvSc',
  },
  {
    password: 'ｃｏｒｒｅｃｔ\u3000🔑 пароль 密码',
    saltHex: '5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c',
    encoded: '$argon2id$v=19$m=19456,t=2,p=1$XFxcXFxcXFxcXFxcXFxcXA$l7nXyf8sVbYAgZz50P/xeFphUKBVWbZRNHeCZ1BoLmU',
  },
];

/** Backup-code hashes (m=7168, t=1, p=1, hex) recorded from the same Node 24.22.3. */
const recordedBackupCodeHashes = [
  { code: 'a1b2c3d4e5', salt: 'AAECAwQFBgcICQoLDA0ODw==', hex: '4233166247e20a3637887d01bffcc8feb6e572070575929f27c6aab09acfe821' },
  { code: 'zzzzz00000', salt: '8OHSw7Sllod4aVpLPC0eDw==', hex: 'b926fa9f126542a7d5a6e99b7134a339a978aac47b2f63e150197cbdd36b8aae' },
];

/** The hash-wasm library itself at the password cost: the reference the native path must match. */
function hashWasmPasswordHash(password: string, salt: Uint8Array): Promise<string> {
  const cost = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };
  return argon2id({ password: password.normalize('NFKC'), salt, ...cost, outputType: 'encoded' });
}

describe(`hashing.ts on this machine (${process.version}, ${process.platform}-${process.arch})`, () => {
  it('hashes with the native addon', async () => {
    // Assess: otherwise the tests below compare hash-wasm with itself
    await expect(argon2Implementation()).resolves.toBe('@node-rs/argon2');
  });

  it.each(recordedPasswordHashes)('makes the recorded Node 24 hash of $password under its salt', async ({ password, saltHex, encoded }) => {
    // Act
    const made = await hashPasswordWithSalt(password, Buffer.from(saltHex, 'hex'));

    // Assess
    expect(made).toBe(encoded);
    await expect(verifyPassword(password, encoded)).resolves.toBe(true);
    await expect(verifyPassword(`${password}!`, encoded)).resolves.toBe(false);
  });

  it.each(recordedBackupCodeHashes)('makes the recorded Node 24 hash of backup code $code', async ({ code, salt, hex }) => {
    // Act & Assess
    await expect(hashBackupCode(code, salt)).resolves.toBe(hex);
  });
});

interface FallbackSide {
  implementation: string;
  /** hashPasswordWithSalt of each `sameSalt` input. */
  sameSalt: string[];
  /** hashPassword of each of `fresh`. */
  fresh: string[];
  backupCodes: string[];
  /** verifyPassword of each `verify` input. */
  verified: boolean[];
  /** hash-wasm Argon2 computations for a wrong password against an account, and for the unknown-email decoy. */
  equalWork: { againstAccount: number; forUnknownEmail: number }[];
}

/**
 * Runs hashing.ts in a fresh process (through tsx, from the project root) where `@node-rs/argon2` fails to load,
 * as on a platform napi-rs builds no binary for, counting its hash-wasm computations, and answers what it computed.
 */
async function onFallbackSide(input: object): Promise<FallbackSide> {
  const hashWasm = pathToFileURL(createRequire(import.meta.url).resolve('hash-wasm')).href;
  const hooks = `
    export async function resolve(specifier, context, nextResolve) {
      if (specifier === '@node-rs/argon2') return { url: 'data:text/javascript,throw new Error("no native binding")', shortCircuit: true };
      if (specifier === 'hash-wasm') return { url: 'data:text/javascript,' + encodeURIComponent(${JSON.stringify(
        `import * as w from '${hashWasm}';
         const counted = (f) => (...a) => { globalThis.argon2Calls = (globalThis.argon2Calls ?? 0) + 1; return f(...a); };
         export const argon2id = counted(w.argon2id), argon2i = counted(w.argon2i), argon2d = counted(w.argon2d);`,
      )}), shortCircuit: true };
      return nextResolve(specifier, context);
    }`;
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    const h = await import(${JSON.stringify(hashingModule)});
    const input = JSON.parse(process.env.ARGON2_INPUT);
    const counted = async (work) => { globalThis.argon2Calls = 0; await work(); return globalThis.argon2Calls; };
    const equalWork = [];
    for (const { wrong, of } of input.equalWork) {
      const encoded = await h.hashPassword(of);
      equalWork.push({
        againstAccount: await counted(() => h.verifyPassword(wrong, encoded)),
        forUnknownEmail: await counted(() => h.spendPasswordCheck(wrong)),
      });
    }
    process.stdout.write(JSON.stringify({
      implementation: await h.argon2Implementation(),
      sameSalt: await Promise.all(input.sameSalt.map(({ password, saltHex }) => h.hashPasswordWithSalt(password, Buffer.from(saltHex, 'hex')))),
      fresh: await Promise.all(input.fresh.map((password) => h.hashPassword(password))),
      backupCodes: await Promise.all(input.backupCodes.map(({ code, salt }) => h.hashBackupCode(code, salt))),
      verified: await Promise.all(input.verify.map(({ password, encoded }) => h.verifyPassword(password, encoded))),
      equalWork,
    }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: '', ARGON2_INPUT: JSON.stringify(input) },
  });
  return JSON.parse(stdout) as FallbackSide;
}

describe('the native addon (this process) against the hash-wasm fallback (a process where the addon fails to load)', () => {
  const passwords = ['correct horse battery staple', 'café crème brûlée'.normalize('NFD'), 'ｃｏｒｒｅｃｔ\u3000🔑 пароль 密码'];
  const sameSalt = passwords.map((password) => ({ password, saltHex: nodeCrypto.randomBytes(16).toString('hex') }));
  const backupCodes = [{ code: 'k3m9p2x7q4', salt: nodeCrypto.randomBytes(16).toString('base64') }];
  let hashWasmHashes: string[];
  let fallback: FallbackSide;

  beforeAll(async () => {
    // Prepare: hashes made by the hash-wasm library, and the fallback side's work on the same inputs
    hashWasmHashes = await Promise.all(passwords.map((password) => hashWasmPasswordHash(password, nodeCrypto.randomBytes(16))));
    fallback = await onFallbackSide({
      sameSalt,
      fresh: passwords,
      backupCodes,
      verify: [
        ...passwords.map((password, index) => ({ password, encoded: hashWasmHashes[index] })),
        ...passwords.map((password, index) => ({ password: `${password} `, encoded: hashWasmHashes[index] })),
      ],
      equalWork: [
        { wrong: 'wrong café password'.normalize('NFD'), of: 'correct horse battery staple' },
        { wrong: 'wrong cafe password', of: 'correct horse battery staple' },
      ],
    });
  });

  it('runs hash-wasm on the fallback side', () => {
    // Assess: otherwise the tests below compare the addon with itself
    expect(fallback.implementation).toBe('hash-wasm');
  });

  it('writes the same string as hash-wasm for the same password and salt', async () => {
    // Act
    const reference = await Promise.all(
      sameSalt.map(({ password, saltHex }) => hashWasmPasswordHash(password, Buffer.from(saltHex, 'hex'))),
    );

    // Assess: the fallback side, and the addon here
    expect(fallback.sameSalt).toEqual(reference);
    await expect(
      Promise.all(sameSalt.map(({ password, saltHex }) => hashPasswordWithSalt(password, Buffer.from(saltHex, 'hex')))),
    ).resolves.toEqual(reference);
  });

  it('makes hashes that hash-wasm verifies, and hash-wasm refuses the wrong password against', async () => {
    // Prepare: the fallback side's fresh hashes, then the addon's
    const made = [...fallback.fresh, ...(await Promise.all(passwords.map((password) => hashPassword(password))))];
    const typed = [...passwords, ...passwords];

    // Act
    const accepted = await Promise.all(
      made.map((encoded, index) => argon2Verify({ password: typed[index]!.normalize('NFKC'), hash: encoded })),
    );
    const refused = await Promise.all(made.map((encoded) => argon2Verify({ password: 'not the password', hash: encoded })));

    // Assess
    expect(accepted).toEqual(typed.map(() => true));
    expect(refused).toEqual(typed.map(() => false));
  });

  it("verifies, with the addon, the fallback side's hashes, and refuses a wrong password against them", async () => {
    // Act
    const accepted = await Promise.all(fallback.fresh.map((encoded, index) => verifyPassword(passwords[index]!, encoded)));
    const refused = await Promise.all(fallback.fresh.map((encoded) => verifyPassword('not the password', encoded)));

    // Assess
    expect(accepted).toEqual(passwords.map(() => true));
    expect(refused).toEqual(passwords.map(() => false));
  });

  it("verifies, on the fallback side, hash-wasm's hashes, and refuses a wrong password against them", () => {
    // Assess: the right passwords first, then each with a space added
    expect(fallback.verified).toEqual([...passwords.map(() => true), ...passwords.map(() => false)]);
  });

  it('hashes backup codes as hash-wasm does, on both sides', async () => {
    // Act
    const reference = await Promise.all(
      backupCodes.map(({ code, salt }) =>
        argon2id({
          password: code,
          salt: Buffer.from(salt, 'base64'),
          memorySize: 7_168,
          iterations: 1,
          parallelism: 1,
          hashLength: 32,
          outputType: 'hex',
        }),
      ),
    );

    // Assess
    expect(fallback.backupCodes).toEqual(reference);
    await expect(Promise.all(backupCodes.map(({ code, salt }) => hashBackupCode(code, salt)))).resolves.toEqual(reference);
  });

  it('gives an unknown email the same hashes as a wrong password against an account (2 when NFKC changes it, else 1)', () => {
    // Assess: a login answer's timing must not tell an unknown email from a wrong password (the addon's side:
    // test/unit/password-normalization.test.ts)
    expect(fallback.equalWork).toEqual([
      { againstAccount: 2, forUnknownEmail: 2 },
      { againstAccount: 1, forUnknownEmail: 1 },
    ]);
  });
});
