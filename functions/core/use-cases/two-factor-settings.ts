import { ConditionFailedError, ServiceUnavailableError } from '../errors.js';
import type { AppRuntime, Plan, PublishedConfig, TwoFactorMode } from '../model.js';
import type { Dependencies } from '../ports.js';
import { allowedModes, assertModeAllowed } from '../plans.js';
import { authenticateAdmin } from './authenticate.js';
import { auditEvent, requireApp } from './common.js';

export interface TwoFactorSettings {
  plan: Plan;
  allowedModes: readonly TwoFactorMode[];
  draft: { mode: TwoFactorMode };
  published: PublishedConfig | null;
  unpublishedChanges: boolean;
}

/** How often an edit or plan change re-reads after losing a race with the other. */
export const maxPlanRaces = 8;

export async function getTwoFactorSettings(deps: Dependencies, input: { appId: string; token: string | null }): Promise<TwoFactorSettings> {
  const { app } = await authenticateAdmin(deps, input.appId, input.token);
  const draft = await deps.store.getDraftSettings(app.id);
  return settingsView(app, draft?.mode ?? 'off');
}

/** Edits the draft only; nothing changes for end users until the admin publishes. */
export async function updateTwoFactorSettings(
  deps: Dependencies,
  input: { appId: string; token: string | null; mode: TwoFactorMode },
): Promise<TwoFactorSettings> {
  const principal = await authenticateAdmin(deps, input.appId, input.token);
  let app = principal.app;
  for (let race = 0; race < maxPlanRaces; race++) {
    if (race > 0) app = await requireApp(deps, input.appId);
    assertModeAllowed(app.plan, input.mode);
    try {
      await deps.store.putDraftSettings(
        app.id,
        app.plan,
        { mode: input.mode, updatedAt: new Date(deps.clock()).toISOString() },
        auditEvent(deps, app.id, 'settings.updated', principal.user.id, null, { mode: input.mode }),
      );
      // The write changed only the draft, and it was conditioned on this app's plan.
      return settingsView(app, input.mode);
    } catch (error) {
      // The plan changed after the mode was checked against it: check again against the new plan.
      if (!(error instanceof ConditionFailedError && error.reason === 'plan_changed')) throw error;
    }
  }
  throw new ServiceUnavailableError();
}

export async function readSettings(deps: Dependencies, appId: string): Promise<TwoFactorSettings> {
  const [app, draft] = await Promise.all([requireApp(deps, appId), deps.store.getDraftSettings(appId)]);
  return settingsView(app, draft?.mode ?? 'off');
}

function settingsView(app: AppRuntime, draftMode: TwoFactorMode): TwoFactorSettings {
  const published = app.publishedConfig;
  return {
    plan: app.plan,
    allowedModes: allowedModes(app.plan),
    draft: { mode: draftMode },
    published,
    unpublishedChanges: published === null || published.mode !== draftMode,
  };
}
