import { PolicyError } from './errors.js';
import { type Plan, type PublishedConfig, type SettingsValues, type TwoFactorMode, roles, twoFactorModes } from './model.js';

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

/**
 * Grace periods and per-role requirements enforce 2FA, so they come with the plan that may require it
 * (enterprise): a business app offers 2FA and never enforces it.
 */
export function canEnforce(plan: Plan): boolean {
  return allowedModes(plan).includes('required');
}

export function assertSettingsAllowed(plan: Plan, settings: SettingsValues): void {
  assertModeAllowed(plan, settings.mode);
  if (settings.rememberDeviceDays > 0 && !canRememberDevices(plan)) {
    throw new PolicyError('plan_upgrade_required', `The ${plan} plan cannot remember devices. Upgrade the plan.`);
  }
  if ((settings.requiredGraceDays > 0 || settings.requiredForRoles.length > 0) && !canEnforce(plan)) {
    throw new PolicyError(
      'plan_upgrade_required',
      `The ${plan} plan cannot set a grace period or require 2FA for roles. Upgrade the plan.`,
    );
  }
}

/**
 * The settings a plan change leaves: the mode lowered as `lowerToPlan` does, remembering off, no grace and no
 * per-role requirement where the plan does not allow them.
 */
export function lowerSettingsToPlan<S extends SettingsValues>(plan: Plan, settings: S): S {
  const enforce = canEnforce(plan);
  return {
    ...settings,
    mode: lowerToPlan(plan, settings.mode),
    rememberDeviceDays: canRememberDevices(plan) ? settings.rememberDeviceDays : 0,
    requiredGraceDays: enforce ? settings.requiredGraceDays : 0,
    requiredForRoles: enforce ? settings.requiredForRoles : [],
  };
}

export function sameSettings(a: SettingsValues, b: SettingsValues): boolean {
  return (
    a.mode === b.mode &&
    a.rememberDeviceDays === b.rememberDeviceDays &&
    a.requiredGraceDays === b.requiredGraceDays &&
    a.requiredForRoles.length === b.requiredForRoles.length &&
    a.requiredForRoles.every((role) => b.requiredForRoles.includes(role))
  );
}

/** The roles in their canonical order, each once (how settings store them, so equal lists compare equal). */
export function canonicalRoles(list: readonly string[]): SettingsValues['requiredForRoles'] {
  return roles.filter((role) => list.includes(role));
}

/**
 * Whether going from `before` to `after` weakens the app: a lower mode, devices remembered longer, a longer
 * grace period or a role no longer required (each needs a fresh second factor of the admin who does it).
 */
export function weakens(before: SettingsValues, after: SettingsValues): boolean {
  return (
    twoFactorModes.indexOf(after.mode) < twoFactorModes.indexOf(before.mode) ||
    after.rememberDeviceDays > before.rememberDeviceDays ||
    after.requiredGraceDays > before.requiredGraceDays ||
    before.requiredForRoles.some((role) => !after.requiredForRoles.includes(role))
  );
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
