import { attemptsBeforeLockout, lockoutSeconds, maxConsecutiveFailures } from '../../functions/core/lockout.js';

describe('lockoutSeconds', () => {
  it.each([0, 1, 2, 5, 8, 9])('does not lock after %i consecutive failures', (failures) => {
    // Act
    const seconds = lockoutSeconds(failures);

    // Assess
    expect(seconds).toBe(0);
  });

  it.each([
    { failures: 10, seconds: 60 },
    { failures: 11, seconds: 120 },
    { failures: 12, seconds: 240 },
    { failures: 13, seconds: 480 },
    { failures: 14, seconds: 900 },
    { failures: 15, seconds: 900 },
    { failures: 20, seconds: 900 },
    { failures: 100, seconds: 900 },
    { failures: 10_000, seconds: 900 },
  ])('locks for $seconds s after $failures consecutive failures', ({ failures, seconds }) => {
    // Act
    const result = lockoutSeconds(failures);

    // Assess
    expect(result).toBe(seconds);
  });

  it('never shortens as failures accumulate and never exceeds 15 minutes', () => {
    // Act
    const lockouts = Array.from({ length: 60 }, (_, failures) => lockoutSeconds(failures));

    // Assess
    for (let i = 1; i < lockouts.length; i += 1) expect(lockouts[i]).toBeGreaterThanOrEqual(lockouts[i - 1]!);
    expect(Math.max(...lockouts)).toBe(900);
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
    { failures: 11, remaining: 0 },
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
