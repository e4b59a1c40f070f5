import { ConditionFailedError, ServiceUnavailableError } from '../errors.js';
import type { AppRuntime, DraftSettings, Plan, PublishedConfig, Role, SettingsValues, TwoFactorMode } from '../model.js';
import type { Dependencies } from '../ports.js';
import { allowedModes, assertSettingsAllowed, canEnforce, canonicalRoles, sameSettings, weakens } from '../plans.js';
import { requireRecentSecondFactor } from './step-up.js';
import { authenticateAdmin } from './authenticate.js';
import { auditEvent, requireApp } from './common.js';

export type { SettingsValues } from '../model.js';

export interface TwoFactorSettings {
  plan: Plan;
  allowedModes: readonly TwoFactorMode[];
  /** Whether the plan may set a grace period and per-role requirements (enterprise). */
  enforcementOptions: boolean;
  draft: SettingsValues;
  published: PublishedConfig | null;
  unpublishedChanges: boolean;
}

/** What an app that never edited its settings (or never published) has. */
export const nothingSet: SettingsValues = { mode: 'off', rememberDeviceDays: 0, requiredGraceDays: 0, requiredForRoles: [] };

/** The draft as stored, or what an app that never edited it has. */
export function draftValues(draft: DraftSettings | null): SettingsValues {
  return draft
    ? {
        mode: draft.mode,
        rememberDeviceDays: draft.rememberDeviceDays,
        requiredGraceDays: draft.requiredGraceDays,
        requiredForRoles: draft.requiredForRoles,
      }
    : nothingSet;
}

/** How often an edit or plan change re-reads after losing a race with the other. */
export const maxPlanRaces = 8;

export async function getTwoFactorSettings(deps: Dependencies, input: { appId: string; token: string | null }): Promise<TwoFactorSettings> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  return settingsView(app, draftValues(await deps.apps.getDraftSettings(app.id)));
}

/**
 * Edits the draft only; nothing changes for end users until the admin publishes. An optional field left out
 * keeps the draft's. A change that weakens the draft (a lower mode, devices remembered longer, a longer grace,
 * a role no longer required) needs a second factor proven in the last 10 minutes.
 */
export async function updateTwoFactorSettings(
  deps: Dependencies,
  input: {
    appId: string;
    token: string | null;
    mode: TwoFactorMode;
    rememberDeviceDays?: number | undefined;
    requiredGraceDays?: number | undefined;
    requiredForRoles?: readonly Role[] | undefined;
  },
): Promise<TwoFactorSettings> {
  const principal = await authenticateAdmin(deps, input.appId, input.token);
  const current = draftValues(await deps.apps.getDraftSettings(input.appId));
  const wanted: SettingsValues = {
    mode: input.mode,
    rememberDeviceDays: input.rememberDeviceDays ?? current.rememberDeviceDays,
    requiredGraceDays: input.requiredGraceDays ?? current.requiredGraceDays,
    requiredForRoles: canonicalRoles(input.requiredForRoles ?? current.requiredForRoles),
  };
  if (weakens(current, wanted)) requireRecentSecondFactor(deps, principal);
  let app = principal.app;
  for (let race = 0; race < maxPlanRaces; race++) {
    if (race > 0) app = await requireApp(deps, input.appId);
    assertSettingsAllowed(app.plan, wanted);
    try {
      await deps.apps.putDraftSettings(
        app.id,
        app.plan,
        { ...wanted, updatedAt: new Date(deps.clock()).toISOString() },
        auditEvent(deps, app.id, 'settings.updated', principal.user.id, null, auditDetail(wanted)),
      );
      // The write changed only the draft, and it was conditioned on this app's plan.
      return settingsView(app, wanted);
    } catch (error) {
      // The plan changed after the mode was checked against it: check again against the new plan.
      if (!(error instanceof ConditionFailedError && error.reason === 'plan_changed')) throw error;
    }
  }
  throw new ServiceUnavailableError();
}

export async function readSettings(deps: Dependencies, appId: string): Promise<TwoFactorSettings> {
  const [app, draft] = await Promise.all([requireApp(deps, appId), deps.apps.getDraftSettings(appId)]);
  return settingsView(app, draftValues(draft));
}

function settingsView(app: AppRuntime, draft: SettingsValues): TwoFactorSettings {
  const published = app.publishedConfig;
  return {
    plan: app.plan,
    allowedModes: allowedModes(app.plan),
    enforcementOptions: canEnforce(app.plan),
    draft,
    published,
    unpublishedChanges: published === null || !sameSettings(published, draft),
  };
}

/** Settings as an audit entry's flat detail (the roles joined by commas). */
export function auditDetail(values: SettingsValues): Record<string, string | number> {
  return { ...values, requiredForRoles: values.requiredForRoles.join(',') };
}
