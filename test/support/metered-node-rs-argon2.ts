import { hashRaw as nativeHashRaw } from '@node-rs/argon2';
import { recordArgon2 } from './stack-work-meter.js';

/**
 * `@node-rs/argon2` as the test stack's handlers import it (see meterPasswordHashing): the library itself,
 * with each Argon2 computation recorded for the work meter before it runs. functions/core/hashing.ts calls
 * only `hashRaw`, and verifies by hashing again, so that is the one entry to meter.
 */
export * from '@node-rs/argon2';

/** `Algorithm`'s numbering (a const enum in the package's types). */
const variants = ['argon2d', 'argon2i', 'argon2id'] as const;

export const hashRaw: typeof nativeHashRaw = (password, options, abortSignal) => {
  const variant = variants[options?.algorithm ?? 2];
  recordArgon2(`${variant} m=${options?.memoryCost},t=${options?.timeCost},p=${options?.parallelism}`);
  return nativeHashRaw(password, options, abortSignal);
};
