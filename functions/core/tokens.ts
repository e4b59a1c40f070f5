import { createHash, randomBytes } from 'node:crypto';

/** Session tokens live 12 hours, challenge tokens 5 minutes. */
export const sessionLifetimeMs = 12 * 60 * 60 * 1000;
export const challengeLifetimeMs = 5 * 60 * 1000;
/** A pending enrollment (secret shown, not yet confirmed) lives 10 minutes. */
export const enrollmentLifetimeMs = 10 * 60 * 1000;

/** An opaque bearer token: 256 random bits, base64url. Only its hash is ever stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token: SHA-256 is enough because the token itself has 256 bits of entropy. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A random identifier with a readable prefix (`usr_…`, `app_…`), 128 bits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

export function toEpochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
