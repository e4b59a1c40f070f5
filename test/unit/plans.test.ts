import { DomainError, PolicyError } from '../../functions/core/errors.js';
import { allowedModes, assertModeAllowed, effectiveMode, lowerToPlan } from '../../functions/core/plans.js';
import type { Plan, TwoFactorMode } from '../../functions/core/model.js';

/** API.md, "Two-factor modes and plans". */
const modesByPlan: Array<{ plan: Plan; modes: TwoFactorMode[] }> = [
  { plan: 'free', modes: ['off'] },
  { plan: 'pro', modes: ['off'] },
  { plan: 'business', modes: ['off', 'optional'] },
  { plan: 'enterprise', modes: ['off', 'optional', 'required'] },
];

const everyMode: TwoFactorMode[] = ['off', 'optional', 'required'];

const everyPair = modesByPlan.flatMap(({ plan, modes }) => everyMode.map((mode) => ({ plan, mode, allowed: modes.includes(mode) })));

/** Runs a call that must throw and hands back what it threw. */
function errorOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

describe('allowedModes', () => {
  it.each(modesByPlan)('lets the $plan plan set $modes', ({ plan, modes }) => {
    // Act
    const result = allowedModes(plan);

    // Assess
    expect([...result]).toEqual(modes);
  });
});

describe('assertModeAllowed', () => {
  it.each(everyPair.filter(({ allowed }) => allowed))('accepts $mode on the $plan plan', ({ plan, mode }) => {
    // Act & Assess
    expect(() => assertModeAllowed(plan, mode)).not.toThrow();
  });

  it.each(everyPair.filter(({ allowed }) => !allowed))(
    'refuses $mode on the $plan plan with plan_upgrade_required (403)',
    ({ plan, mode }) => {
      // Act
      const error = errorOf(() => assertModeAllowed(plan, mode));

      // Assess
      expect(error).toBeInstanceOf(PolicyError);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'plan_upgrade_required', statusCode: 403 });
    },
  );
});

describe('lowerToPlan', () => {
  it.each([
    { plan: 'free', mode: 'required', lowered: 'off' },
    { plan: 'free', mode: 'optional', lowered: 'off' },
    { plan: 'free', mode: 'off', lowered: 'off' },
    { plan: 'pro', mode: 'required', lowered: 'off' },
    { plan: 'pro', mode: 'optional', lowered: 'off' },
    { plan: 'pro', mode: 'off', lowered: 'off' },
    { plan: 'business', mode: 'required', lowered: 'optional' },
    { plan: 'business', mode: 'optional', lowered: 'optional' },
    { plan: 'business', mode: 'off', lowered: 'off' },
    { plan: 'enterprise', mode: 'required', lowered: 'required' },
    { plan: 'enterprise', mode: 'optional', lowered: 'optional' },
    { plan: 'enterprise', mode: 'off', lowered: 'off' },
  ] satisfies Array<{ plan: Plan; mode: TwoFactorMode; lowered: TwoFactorMode }>)(
    'leaves $lowered when the $plan plan meets mode $mode',
    ({ plan, mode, lowered }) => {
      // Act
      const result = lowerToPlan(plan, mode);

      // Assess
      expect(result).toBe(lowered);
    },
  );

  it.each(everyPair)('always leaves a mode the $plan plan allows (from $mode)', ({ plan, mode }) => {
    // Act
    const result = lowerToPlan(plan, mode);

    // Assess
    expect(() => assertModeAllowed(plan, result)).not.toThrow();
    expect(everyMode.indexOf(result)).toBeLessThanOrEqual(everyMode.indexOf(mode));
  });
});

describe('effectiveMode', () => {
  it('is off for an app that never published', () => {
    // Act
    const mode = effectiveMode(null);

    // Assess
    expect(mode).toBe('off');
  });

  it.each(everyMode)('is the published mode %s', (publishedMode) => {
    // Act
    const mode = effectiveMode({
      version: 3,
      mode: publishedMode,
      rememberDeviceDays: 0,
      requiredGraceDays: 0,
      requiredForRoles: [],
      requiredSince: {},
      publishedAt: '2025-01-02T03:04:05.000Z',
    });

    // Assess
    expect(mode).toBe(publishedMode);
  });
});
