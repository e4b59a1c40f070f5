import { argon2Verify as verify, argon2d as hashD, argon2i as hashI, argon2id as hashId } from 'hash-wasm';
import { recordArgon2 } from './stack-work-meter.js';

/**
 * hash-wasm as the test stack's handlers import it (see meterPasswordHashing): the library itself, with each
 * Argon2 computation recorded for the work meter before it runs. Nothing else changes.
 */
export * from 'hash-wasm';

type HashOptions = Parameters<typeof hashId>[0];

const costOf = (options: HashOptions) => `m=${options.memorySize},t=${options.iterations},p=${options.parallelism}`;

export const argon2id: typeof hashId = (options) => {
  recordArgon2(`argon2id ${costOf(options)}`);
  return hashId(options);
};

export const argon2i: typeof hashI = (options) => {
  recordArgon2(`argon2i ${costOf(options)}`);
  return hashI(options);
};

export const argon2d: typeof hashD = (options) => {
  recordArgon2(`argon2d ${costOf(options)}`);
  return hashD(options);
};

/** A verification is one computation at the cost the encoded hash names: `$argon2id$v=19$m=19456,t=2,p=1$…`. */
export const argon2Verify: typeof verify = (options) => {
  const [, variant, , cost] = options.hash.split('$');
  recordArgon2(`${variant} ${cost}`);
  return verify(options);
};
