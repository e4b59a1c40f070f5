import { randomBytes, timingSafeEqual } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/**
 * Argon2id at OWASP's minimum for passwords (m = 19 MiB, t = 2, p = 1). hash-wasm is WebAssembly, so the
 * same bundle runs on this machine and on Lambda arm64 with no native binary per platform.
 */
const passwordCost = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

/**
 * Backup codes carry 50 random bits, so their hash only has to make a search of 2^50 candidates
 * infeasible, not defeat a dictionary: a lighter Argon2id (m = 7 MiB, t = 1) keeps generating a set of
 * ten under half a second while one guess still costs an attacker tens of milliseconds.
 */
const backupCodeCost = { memorySize: 7_168, iterations: 1, parallelism: 1, hashLength: 32 } as const;

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
  return argon2id({ password: normalizePassword(password), salt: randomBytes(16), ...passwordCost, outputType: 'encoded' });
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
  if (await argon2Verify({ password: normalized, hash: encodedHash })) return true;
  return normalized !== password && (await argon2Verify({ password, hash: encodedHash }));
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
  return argon2id({
    password: normalizedCode,
    salt: Buffer.from(salt, 'base64'),
    ...backupCodeCost,
    outputType: 'hex',
  });
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
