import { PolicyError } from './errors.js';
import { type Plan, type PublishedConfig, type TwoFactorMode, twoFactorModes } from './model.js';

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

/** Remembering devices for the second factor comes with the plans that may offer 2FA (business, enterprise). */
function canRememberDevices(plan: Plan): boolean {
  return allowedModes(plan).includes('optional');
}

/** The longest a device may be remembered ("Trust this browser for N days"). */
export const maxRememberDeviceDays = 30;

export function assertSettingsAllowed(plan: Plan, settings: { mode: TwoFactorMode; rememberDeviceDays: number }): void {
  assertModeAllowed(plan, settings.mode);
  if (settings.rememberDeviceDays > 0 && !canRememberDevices(plan)) {
    throw new PolicyError('plan_upgrade_required', `The ${plan} plan cannot remember devices. Upgrade the plan.`);
  }
}

/** The settings a plan change leaves: the mode lowered as `lowerToPlan` does, remembering off where not allowed. */
export function lowerSettingsToPlan<S extends { mode: TwoFactorMode; rememberDeviceDays: number }>(plan: Plan, settings: S): S {
  return {
    ...settings,
    mode: lowerToPlan(plan, settings.mode),
    rememberDeviceDays: canRememberDevices(plan) ? settings.rememberDeviceDays : 0,
  };
}

/**
 * Whether going from `before` to `after` weakens the app: a lower mode, or devices remembered longer (each
 * needs a fresh second factor of the admin who does it).
 */
export function weakens(
  before: { mode: TwoFactorMode; rememberDeviceDays: number },
  after: { mode: TwoFactorMode; rememberDeviceDays: number },
): boolean {
  return twoFactorModes.indexOf(after.mode) < twoFactorModes.indexOf(before.mode) || after.rememberDeviceDays > before.rememberDeviceDays;
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
