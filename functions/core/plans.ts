import { PolicyError } from './errors.js';
import type { Plan, PublishedConfig, TwoFactorMode } from './model.js';

const allowedModesByPlan: Record<Plan, readonly TwoFactorMode[]> = {
  free: ['off'],
  pro: ['off'],
  business: ['off', 'optional'],
  enterprise: ['off', 'optional', 'required'],
};

/** The two-factor modes a plan may set, weakest first (API.md's plan table). */
export function allowedModes(plan: Plan): readonly TwoFactorMode[] {
  return allowedModesByPlan[plan];
}

export function assertModeAllowed(plan: Plan, mode: TwoFactorMode): void {
  if (!allowedModes(plan).includes(mode)) {
    throw new PolicyError('plan_upgrade_required', `The ${plan} plan cannot set two-factor mode "${mode}". Upgrade the plan.`);
  }
}

/**
 * The mode a plan change leaves: unchanged when still allowed, else the highest mode the plan allows
 * (every plan's modes are a prefix of off < optional < required, so that is always a lowering).
 */
export function lowerToPlan(plan: Plan, mode: TwoFactorMode): TwoFactorMode {
  const modes = allowedModes(plan);
  return modes.includes(mode) ? mode : (modes[modes.length - 1] ?? 'off');
}

/** The mode in force: an app that never published behaves as `off`. */
export function effectiveMode(published: PublishedConfig | null): TwoFactorMode {
  return published?.mode ?? 'off';
}
