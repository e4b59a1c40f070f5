import { attemptsBeforeLockout, lockoutSeconds, maxConsecutiveFailures } from '../../functions/core/lockout.js';

describe('lockoutSeconds', () => {
  it.each([0, 1, 2, 5, 8, 9, 11, 12, 19, 21, 101])('does not lock after %i consecutive failures', (failures) => {
    // Act
    const seconds = lockoutSeconds(failures);

    // Assess
    expect(seconds).toBe(0);
  });

  it.each([
    { failures: 10, seconds: 60 },
    { failures: 20, seconds: 120 },
    { failures: 30, seconds: 240 },
    { failures: 40, seconds: 480 },
    { failures: 50, seconds: 900 },
    { failures: 60, seconds: 900 },
    { failures: 100, seconds: 900 },
    { failures: 10_000, seconds: 900 },
  ])('locks for $seconds s after $failures consecutive failures', ({ failures, seconds }) => {
    // Act
    const result = lockoutSeconds(failures);

    // Assess
    expect(result).toBe(seconds);
  });

  it('locks only every 10th failure, each lock at least as long as the last and never over 15 minutes', () => {
    // Act
    const lockouts = Array.from({ length: 200 }, (_, failures) => lockoutSeconds(failures)).filter((seconds) => seconds > 0);

    // Assess
    expect(lockouts).toHaveLength(19);
    for (let i = 1; i < lockouts.length; i += 1) expect(lockouts[i]).toBeGreaterThanOrEqual(lockouts[i - 1]!);
    expect(Math.max(...lockouts)).toBe(900);
  });

  it('does not lock again on the first guess after a lock has expired (no lockout forever)', () => {
    // Assess
    expect(lockoutSeconds(maxConsecutiveFailures)).toBeGreaterThan(0);
    expect(lockoutSeconds(maxConsecutiveFailures + 1)).toBe(0);
  });
});

describe('attemptsBeforeLockout', () => {
  it('allows 10 consecutive failures (NIST SP 800-63B allows at most 100)', () => {
    // Assess
    expect(maxConsecutiveFailures).toBe(10);
  });

  it.each([
    { failures: 0, remaining: 10 },
    { failures: 1, remaining: 9 },
    { failures: 5, remaining: 5 },
    { failures: 9, remaining: 1 },
    { failures: 10, remaining: 0 },
    { failures: 11, remaining: 9 },
    { failures: 19, remaining: 1 },
    { failures: 50, remaining: 0 },
  ])('leaves $remaining attempts after $failures failures', ({ failures, remaining }) => {
    // Act
    const result = attemptsBeforeLockout(failures);

    // Assess
    expect(result).toBe(remaining);
  });

  it('reaches 0 exactly when the lockout starts', () => {
    // Act
    const firstLockedFailureCount = Array.from({ length: 20 }, (_, failures) => failures).find((failures) => lockoutSeconds(failures) > 0);

    // Assess
    expect(firstLockedFailureCount).toBe(10);
    expect(attemptsBeforeLockout(firstLockedFailureCount! - 1)).toBe(1);
    expect(attemptsBeforeLockout(firstLockedFailureCount!)).toBe(0);
  });
});
