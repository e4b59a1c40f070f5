/**
 * Brute-force policy for passwords and second-factor codes. NIST SP 800-63B allows at most 100
 * consecutive failures; we lock after every 10th, for 1 minute, doubling with each further lock up to
 * 15 minutes.
 *
 * The count goes on across locks but only every 10th failure locks: once a lock has expired, one more
 * wrong guess does not lock again (it used to, for twice as long, so about four requests an hour kept an
 * account locked for good). A client gets 10 guesses per lock at most, so at the 15-minute cap that is 40
 * an hour; a success clears the count.
 */
export const maxConsecutiveFailures = 10;

/** A count nothing has failed against yet (or that a success cleared). */
export const noFailures = { failedAttempts: 0, lockedUntil: null } as const;

/** A count of wrong passwords for an email is forgotten a day after its last failure (or lock). */
export const passwordFailuresLifetimeSeconds = 24 * 60 * 60;

/** How many wrong codes one login challenge or one pending enrollment survives. */
export const maxAttemptsPerChallenge = 5;
const firstLockoutSeconds = 60;
const longestLockoutSeconds = 15 * 60;

/** Seconds the secret stays locked after `failures` consecutive failures (0: this failure does not lock). */
export function lockoutSeconds(failures: number): number {
  if (failures < maxConsecutiveFailures || failures % maxConsecutiveFailures !== 0) return 0;
  const lock = failures / maxConsecutiveFailures;
  return Math.min(firstLockoutSeconds * 2 ** (lock - 1), longestLockoutSeconds);
}

/** Wrong attempts left before the next lock, after `failures` consecutive failures (0: just locked). */
export function attemptsBeforeLockout(failures: number): number {
  if (failures > 0 && failures % maxConsecutiveFailures === 0) return 0;
  return maxConsecutiveFailures - (failures % maxConsecutiveFailures);
}
