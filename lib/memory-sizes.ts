/**
 * Memory (MB) of each step's function, from the cost/latency table in docs/runtime-and-bundles.md: the cheapest
 * size whose modeled warm duration is within 10 ms of the fastest. Lambda gives a function CPU in proportion to
 * its memory (one vCPU at 1,769 MB), so a step whose time is CPU (an Argon2id hash) gets faster as memory grows
 * at about the same cost, while a step that mostly waits on DynamoDB costs more with memory and hardly gets faster.
 */
const memoryByStep: Readonly<Record<string, number>> = {
  // One password hash (Argon2id, m = 19 MiB, t = 2): ~41 ms of CPU at one vCPU, 3.5 times that at 512 MB.
  signup: 1769,
  login: 1769,
  'create-app': 1769,
  // Ten backup-code hashes (Argon2id, m = 7 MiB, t = 1) per set: ~60 ms of CPU.
  'enrollment-confirm': 1769,
  'backup-codes': 1769,
  // The QR code's PNG and SVG: ~11 ms of CPU.
  'enrollment-start': 1024,
  // Nothing to compute and nothing to read: 50–60 MB resident.
  health: 256,
  'not-found': 256,
  openapi: 256,
};

/** Every other step: ~2.5 ms of CPU around its DynamoDB (and KMS) round trips, TOTP checks included. */
const defaultMemorySize = 512;

export function memorySizeOf(step: string): number {
  return memoryByStep[step] ?? defaultMemorySize;
}
