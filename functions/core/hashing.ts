import { randomBytes, timingSafeEqual } from 'node:crypto';

/** An Argon2id cost, in hash-wasm's terms: memory in KiB, passes, lanes and tag bytes. */
interface Argon2Cost {
  memorySize: number;
  iterations: number;
  parallelism: number;
  hashLength: number;
}

/** Argon2id at OWASP's minimum for passwords (m = 19 MiB, t = 2, p = 1). */
const passwordCost: Argon2Cost = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

/**
 * Backup codes carry 50 random bits, so their hash only has to make a search of 2^50 candidates
 * infeasible, not defeat a dictionary: a lighter Argon2id (m = 7 MiB, t = 1) keeps generating a set of
 * ten under half a second while one guess still costs an attacker tens of milliseconds.
 */
const backupCodeCost: Argon2Cost = { memorySize: 7_168, iterations: 1, parallelism: 1, hashLength: 32 };

type Argon2Variant = 'argon2d' | 'argon2i' | 'argon2id';

/** `@node-rs/argon2`'s numbering of the variants (its `Algorithm`, a const enum in its types). */
const nativeAlgorithm: Record<Argon2Variant, 0 | 1 | 2> = { argon2d: 0, argon2i: 1, argon2id: 2 };

/** The raw Argon2 tag of `password` under `salt` at `cost`, version 1.3. */
type Argon2Tag = (variant: Argon2Variant, password: string, salt: Uint8Array, cost: Argon2Cost) => Promise<Buffer>;

/**
 * The Argon2 this process computes with, loaded at the first hash (a step that never hashes never loads it):
 *
 * - `@node-rs/argon2`: the Rust `argon2` crate as a native addon, on libuv's thread pool so a hash never blocks
 *   the event loop; measured 3-4× faster than hash-wasm and about 2× faster than Node 24's own `crypto.argon2`
 *   (docs/runtime-and-bundles.md). npm installs its binary for the machine; the Lambda bundles carry the
 *   linux-arm64 one (lib/native-argon2.ts).
 * - hash-wasm's WebAssembly, where no binary loads (a platform napi-rs does not build for).
 *
 * Both compute the same function, so both write the same PHC string and a hash made by either verifies with the other.
 */
let implementation: Promise<{ name: Argon2Implementation; tag: Argon2Tag }> | undefined;

export type Argon2Implementation = '@node-rs/argon2' | 'hash-wasm';

function loadImplementation(): Promise<{ name: Argon2Implementation; tag: Argon2Tag }> {
  implementation ??= import('@node-rs/argon2').then(
    (native) => ({
      name: '@node-rs/argon2' as const,
      tag: (variant, password, salt, cost) =>
        native.hashRaw(password, {
          salt,
          memoryCost: cost.memorySize,
          timeCost: cost.iterations,
          parallelism: cost.parallelism,
          outputLen: cost.hashLength,
          algorithm: nativeAlgorithm[variant] as never,
        }),
    }),
    async () => {
      const wasm = await import('hash-wasm');
      const byVariant = { argon2d: wasm.argon2d, argon2i: wasm.argon2i, argon2id: wasm.argon2id };
      return {
        name: 'hash-wasm' as const,
        tag: async (variant, password, salt, cost) =>
          Buffer.from(await byVariant[variant]({ password, salt, ...cost, outputType: 'binary' })),
      };
    },
  );
  return implementation;
}

/** Which Argon2 implementation this process hashes with (loads it if no hash has yet). */
export async function argon2Implementation(): Promise<Argon2Implementation> {
  return (await loadImplementation()).name;
}

async function argon2Tag(variant: Argon2Variant, password: string, salt: Uint8Array, cost: Argon2Cost): Promise<Buffer> {
  return (await loadImplementation()).tag(variant, password, salt, cost);
}

/** Base64 without padding, as the PHC string format writes salts and hashes. */
function phcBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** An encoded Argon2 hash, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: version 1.3, the only one made here. */
const encodedArgon2 = /^\$(argon2id|argon2i|argon2d)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** The Argon2id hash of `password` under `salt` at the password cost, encoded with its salt and cost. */
async function encodedPasswordHash(password: string, salt: Uint8Array): Promise<string> {
  const tag = await argon2Tag('argon2id', password, salt, passwordCost);
  const { memorySize, iterations, parallelism } = passwordCost;
  return `$argon2id$v=19$m=${memorySize},t=${iterations},p=${parallelism}$${phcBase64(salt)}$${phcBase64(tag)}`;
}

/**
 * Whether `password` is the one `encodedHash` was made from: one hash, at the cost the encoded hash names,
 * compared with the stored tag in constant time.
 */
async function matchesEncodedHash(password: string, encodedHash: string): Promise<boolean> {
  const [, variant = '', memorySize, iterations, parallelism, salt = '', hash = ''] = encodedArgon2.exec(encodedHash) ?? [];
  if (!variant) throw new Error('Invalid hash');
  const stored = Buffer.from(hash, 'base64');
  const cost = {
    memorySize: Number(memorySize),
    iterations: Number(iterations),
    parallelism: Number(parallelism),
    hashLength: stored.length,
  };
  const tag = await argon2Tag(variant as Argon2Variant, password, Buffer.from(salt, 'base64'), cost);
  return timingSafeEqual(tag, stored);
}

/**
 * NIST SP 800-63B §5.1.1.2: passwords are Unicode-normalized (NFKC) before hashing, so the same password
 * typed on keyboards that compose differently (`é` as one code point or as `e` + U+0301, fullwidth or
 * ASCII letters) is the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** An Argon2id hash (encoded, with its salt and cost) of the password's NFKC form. */
export async function hashPassword(password: string): Promise<string> {
  return hashPasswordWithSalt(password, randomBytes(16));
}

/** {@link hashPassword} under a given salt: the same salt gives the same string from either implementation. */
export async function hashPasswordWithSalt(password: string, salt: Uint8Array): Promise<string> {
  return encodedPasswordHash(normalizePassword(password), salt);
}

/**
 * Whether `password` is the one `encodedHash` was made from. The NFKC form is checked first; hashes made
 * before passwords were normalized hold the password as typed, so when that check fails and the typed form
 * differs from its NFKC form, the typed form is checked too. Whether a wrong password costs that second
 * hash depends on the password sent alone, never on the account, so the decoy check of an unknown email
 * (spendPasswordCheck) costs the same.
 */
export async function verifyPassword(password: string, encodedHash: string): Promise<boolean> {
  const normalized = normalizePassword(password);
  // An empty password is simply wrong (and hash-wasm throws on one).
  if (password === '' || normalized === '') return false;
  if (await matchesEncodedHash(normalized, encodedHash)) return true;
  return normalized !== password && (await matchesEncodedHash(password, encodedHash));
}

/**
 * An Argon2id hash, at the password cost, of 256 random bits nobody kept: no password matches it. Fixed
 * in the code so the first unknown-email login of a cold start costs no extra hash.
 */
const decoyHash = '$argon2id$v=19$m=19456,t=2,p=1$DYDSdDacqI2sbRcdEKbBhQ$We+T4qT/GSPZFPehwhOgpZyig9xB0gLQitS0ZTK11lc';

/**
 * Spends the same time as a real password check for an email that has no account, so a login answer's
 * timing does not reveal whether the email exists: it goes through verifyPassword, so a password that
 * NFKC changes costs the same two hashes here as a wrong one against a real account.
 */
export async function spendPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, decoyHash);
}

export function newBackupCodeSalt(): string {
  return randomBytes(16).toString('base64');
}

/** Hex hash of a normalized backup code under its set's salt; equal codes give equal hashes within a set. */
export async function hashBackupCode(normalizedCode: string, salt: string): Promise<string> {
  return (await argon2Tag('argon2id', normalizedCode, Buffer.from(salt, 'base64'), backupCodeCost)).toString('hex');
}

/** Finds `hash` among `candidates` comparing every one in constant time. */
export function findHash(hash: string, candidates: readonly string[]): string | undefined {
  const wanted = Buffer.from(hash, 'hex');
  let found: string | undefined;
  for (const candidate of candidates) {
    const other = Buffer.from(candidate, 'hex');
    if (other.length === wanted.length && timingSafeEqual(other, wanted)) found = candidate;
  }
  return found;
}
