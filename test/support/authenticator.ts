import { createHmac } from 'node:crypto';

/**
 * Plays the authenticator app: RFC 6238 TOTP written from the RFC with node:crypto, independent of the
 * library the service uses, so a bug shared by both cannot hide.
 */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = '';
  for (const char of clean) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 4226 §5.3: HMAC, dynamic truncation, modulo 10^digits. */
export function hotpCode(key: Buffer, counter: number, digits = 6, algorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function currentStep(atMs = Date.now()): number {
  return Math.floor(atMs / 30_000);
}

/** The code an authenticator app shows for `step` (default: now). */
export function totpCode(secretBase32: string, step = currentStep()): string {
  return hotpCode(base32Decode(secretBase32), step);
}

/**
 * Waits until at least `marginMs` remain in the current 30 s step, so a test that sends codes for
 * neighbouring steps cannot see the window slide under it.
 */
export async function awayFromStepBoundary(marginMs = 4_000): Promise<void> {
  const intoStep = Date.now() % 30_000;
  if (30_000 - intoStep < marginMs) await new Promise((resolve) => setTimeout(resolve, 30_000 - intoStep + 50));
}
