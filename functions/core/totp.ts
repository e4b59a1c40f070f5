import { randomBytes } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/** What authenticator apps support (API.md): SHA-1, 6 digits, 30 s, the current step ± 1. */
export const totpDefaults = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpOptions {
  algorithm?: TotpAlgorithm;
  digits?: number;
  period?: number;
  window?: number;
}

/** An accepted code: the RFC 6238 time step it belongs to and its offset from the current step. */
export interface TotpMatch {
  step: number;
  offset: number;
}

/** 160 random bits, the RFC 4226 recommended secret length. */
export function generateTotpSecret(): Buffer {
  return randomBytes(20);
}

function toBase32(secret: Uint8Array): string {
  return new Secret({ buffer: toArrayBuffer(secret) }).base32;
}

/** The base32 secret in groups of four, the easiest form to type into an authenticator app. */
export function manualEntryKey(secret: Uint8Array): string {
  return toBase32(secret).replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * The key-URI an authenticator app scans. Issuer and account are percent-encoded separately (a space is
 * `%20`, never `+`) so the issuer survives intact in every app.
 */
export function otpauthUri(issuer: string, accountName: string, secret: Uint8Array): string {
  const encodedIssuer = encodeURIComponent(issuer);
  return (
    `otpauth://totp/${encodedIssuer}:${encodeURIComponent(accountName)}` +
    `?secret=${toBase32(secret)}&issuer=${encodedIssuer}` +
    `&algorithm=${totpDefaults.algorithm}&digits=${totpDefaults.digits}&period=${totpDefaults.period}`
  );
}

/** The RFC 6238 time step (T) that `atMs` falls into. */
export function timeStep(atMs: number, period: number = totpDefaults.period): number {
  return Math.floor(atMs / 1000 / period);
}

/** RFC 4226 HOTP value of `counter`. */
export function hotp(secret: Uint8Array, counter: number, options: TotpOptions = {}): string {
  return HOTP.generate({
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    counter,
    algorithm: options.algorithm ?? totpDefaults.algorithm,
    digits: options.digits ?? totpDefaults.digits,
  });
}

/** RFC 6238 TOTP value at `atMs`. */
export function totpAt(secret: Uint8Array, atMs: number, options: TotpOptions = {}): string {
  return TOTP.generate({
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    timestamp: atMs,
    algorithm: options.algorithm ?? totpDefaults.algorithm,
    digits: options.digits ?? totpDefaults.digits,
    period: options.period ?? totpDefaults.period,
  });
}

/**
 * Checks `code` against the steps around `atMs` (constant-time comparison inside otpauth) and returns
 * the step it matched, so the caller can consume that step once; `null` when it matches none.
 */
export function verifyTotp(secret: Uint8Array, code: string, atMs: number, options: TotpOptions = {}): TotpMatch | null {
  const period = options.period ?? totpDefaults.period;
  const digits = options.digits ?? totpDefaults.digits;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const offset = TOTP.validate({
    token: code,
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    timestamp: atMs,
    algorithm: options.algorithm ?? totpDefaults.algorithm,
    digits,
    period,
    window: options.window ?? totpDefaults.window,
  });
  if (offset === null) return null;
  return { step: timeStep(atMs, period) + offset, offset };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
