/**
 * Per-account brute-force policy for the second factor. NIST SP 800-63B allows at most 100 consecutive
 * failures; we lock after 10, for 1 minute, doubling with each further failure up to 15 minutes.
 */
export const maxConsecutiveFailures = 10;

/** How many wrong codes one login challenge or one pending enrollment survives. */
export const maxAttemptsPerChallenge = 5;
const firstLockoutSeconds = 60;
const longestLockoutSeconds = 15 * 60;

/** Seconds the factor stays locked after `failures` consecutive failures (0: not locked). */
export function lockoutSeconds(failures: number): number {
  if (failures < maxConsecutiveFailures) return 0;
  return Math.min(firstLockoutSeconds * 2 ** (failures - maxConsecutiveFailures), longestLockoutSeconds);
}

export function attemptsBeforeLockout(failures: number): number {
  return Math.max(0, maxConsecutiveFailures - failures);
}
