import { ConditionFailedError, ServiceUnavailableError } from '../errors.js';
import type { AppRuntime, DraftSettings, Plan, PublishedConfig, TwoFactorMode } from '../model.js';
import type { Dependencies } from '../ports.js';
import { allowedModes, assertSettingsAllowed, weakens } from '../plans.js';
import { requireRecentSecondFactor } from './step-up.js';
import { authenticateAdmin } from './authenticate.js';
import { auditEvent, requireApp } from './common.js';

/** What an admin sets: the mode and how long a device may be remembered for the second factor. */
export interface SettingsValues {
  mode: TwoFactorMode;
  rememberDeviceDays: number;
}

export interface TwoFactorSettings {
  plan: Plan;
  allowedModes: readonly TwoFactorMode[];
  draft: SettingsValues;
  published: PublishedConfig | null;
  unpublishedChanges: boolean;
}

const nothingDrafted: SettingsValues = { mode: 'off', rememberDeviceDays: 0 };

/** The draft as stored, or what an app that never edited it has. */
export function draftValues(draft: DraftSettings | null): SettingsValues {
  return draft ? { mode: draft.mode, rememberDeviceDays: draft.rememberDeviceDays } : nothingDrafted;
}

/** How often an edit or plan change re-reads after losing a race with the other. */
export const maxPlanRaces = 8;

export async function getTwoFactorSettings(deps: Dependencies, input: { appId: string; token: string | null }): Promise<TwoFactorSettings> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  return settingsView(app, draftValues(await deps.apps.getDraftSettings(app.id)));
}

/**
 * Edits the draft only; nothing changes for end users until the admin publishes. `rememberDeviceDays`
 * absent keeps the draft's. A change that weakens the draft (a lower mode, devices remembered longer)
 * needs a second factor proven in the last 10 minutes.
 */
export async function updateTwoFactorSettings(
  deps: Dependencies,
  input: { appId: string; token: string | null; mode: TwoFactorMode; rememberDeviceDays?: number | undefined },
): Promise<TwoFactorSettings> {
  const principal = await authenticateAdmin(deps, input.appId, input.token);
  const current = draftValues(await deps.apps.getDraftSettings(input.appId));
  const wanted: SettingsValues = { mode: input.mode, rememberDeviceDays: input.rememberDeviceDays ?? current.rememberDeviceDays };
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
        auditEvent(deps, app.id, 'settings.updated', principal.user.id, null, { ...wanted }),
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
    draft,
    published,
    unpublishedChanges: published === null || published.mode !== draft.mode || published.rememberDeviceDays !== draft.rememberDeviceDays,
  };
}
