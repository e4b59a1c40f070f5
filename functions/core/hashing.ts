import * as nodeCrypto from 'node:crypto';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/** An Argon2id cost, in hash-wasm's terms: memory in KiB, passes, lanes and tag bytes. */
interface Argon2Cost {
  memorySize: number;
  iterations: number;
  parallelism: number;
  hashLength: number;
}

/**
 * Argon2id at OWASP's minimum for passwords (m = 19 MiB, t = 2, p = 1), computed by Node's own Argon2 where
 * the runtime has it (see {@link argon2Implementation}), else by hash-wasm.
 */
const passwordCost: Argon2Cost = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

/**
 * Backup codes carry 50 random bits, so their hash only has to make a search of 2^50 candidates
 * infeasible, not defeat a dictionary: a lighter Argon2id (m = 7 MiB, t = 1) keeps generating a set of
 * ten under half a second while one guess still costs an attacker tens of milliseconds.
 */
const backupCodeCost: Argon2Cost = { memorySize: 7_168, iterations: 1, parallelism: 1, hashLength: 32 };

type Argon2Variant = 'argon2d' | 'argon2i' | 'argon2id';

/** `crypto.argon2` of Node 24.7 and later (@types/node of Node 20 does not know it). */
type NodeArgon2 = (
  algorithm: Argon2Variant,
  parameters: { message: string; nonce: Uint8Array; memory: number; passes: number; parallelism: number; tagLength: number },
  callback: (error: Error | null, tag: Buffer) => void,
) => void;

const nodeArgon2 = (nodeCrypto as { argon2?: NodeArgon2 }).argon2;

/**
 * The raw Argon2 tag by Node's own Argon2 (OpenSSL's, from Node 24.7): native code on libuv's thread pool,
 * so a hash never blocks the event loop. Undefined where the runtime has none.
 */
const nodeArgon2Tag =
  typeof nodeArgon2 === 'function'
    ? (variant: Argon2Variant, password: string, salt: Uint8Array, cost: Argon2Cost) =>
        new Promise<Buffer>((resolve, reject) => {
          const { memorySize: memory, iterations: passes, parallelism, hashLength: tagLength } = cost;
          nodeArgon2(variant, { message: password, nonce: salt, memory, passes, parallelism, tagLength }, (error, tag) =>
            error ? reject(error) : resolve(tag),
          );
        })
    : undefined;

/**
 * Which Argon2 this process computes with: Node's own on Node ≥ 24.7 (the Lambda runtime), hash-wasm's
 * WebAssembly elsewhere (Node 20 machines). Both compute the same function and write the same PHC string,
 * so a hash made by either verifies with the other.
 */
export const argon2Implementation: 'node:crypto' | 'hash-wasm' = nodeArgon2Tag ? 'node:crypto' : 'hash-wasm';

/** Base64 without padding, as the PHC string format (and hash-wasm) writes salts and hashes. */
function phcBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** An encoded Argon2 hash, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: version 1.3, the only one either implementation makes. */
const encodedArgon2 = /^\$(argon2id|argon2i|argon2d)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** The Argon2id hash of `password` under `salt` at the password cost, encoded with its salt and cost. */
async function encodedPasswordHash(password: string, salt: Uint8Array): Promise<string> {
  if (!nodeArgon2Tag) return argon2id({ password, salt, ...passwordCost, outputType: 'encoded' });
  const tag = await nodeArgon2Tag('argon2id', password, salt, passwordCost);
  const { memorySize, iterations, parallelism } = passwordCost;
  return `$argon2id$v=19$m=${memorySize},t=${iterations},p=${parallelism}$${phcBase64(salt)}$${phcBase64(tag)}`;
}

/**
 * Whether `password` is the one `encodedHash` was made from: one hash, at the cost the encoded hash names.
 * Node's tag is compared with the stored one in constant time; hash-wasm compares its own encoding.
 */
async function matchesEncodedHash(password: string, encodedHash: string): Promise<boolean> {
  if (!nodeArgon2Tag) return argon2Verify({ password, hash: encodedHash });
  const [, variant = '', memorySize, iterations, parallelism, salt = '', hash = ''] = encodedArgon2.exec(encodedHash) ?? [];
  if (!variant) throw new Error('Invalid hash');
  const stored = Buffer.from(hash, 'base64');
  const cost = {
    memorySize: Number(memorySize),
    iterations: Number(iterations),
    parallelism: Number(parallelism),
    hashLength: stored.length,
  };
  const tag = await nodeArgon2Tag(variant as Argon2Variant, password, Buffer.from(salt, 'base64'), cost);
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
  // hash-wasm throws on an empty password; an empty password is simply wrong.
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
  const saltBytes = Buffer.from(salt, 'base64');
  if (!nodeArgon2Tag) return argon2id({ password: normalizedCode, salt: saltBytes, ...backupCodeCost, outputType: 'hex' });
  return (await nodeArgon2Tag('argon2id', normalizedCode, saltBytes, backupCodeCost)).toString('hex');
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
