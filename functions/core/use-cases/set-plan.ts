import { ConditionFailedError, ServiceUnavailableError } from '../errors.js';
import type { Plan, PublishedConfig, TwoFactorMode } from '../model.js';
import type { Dependencies } from '../ports.js';
import { lowerToPlan } from '../plans.js';
import { auditEvent, requireApp } from './common.js';
import { type TwoFactorSettings, maxPlanRaces, readSettings } from './two-factor-settings.js';

/**
 * Changes an app's plan. A mode the new plan no longer allows is lowered to the highest it allows, in the
 * draft and, by publishing a new version, in the live config: a downgrade takes effect at once. The write
 * is conditioned on the version and draft it read, so a concurrent publish or edit makes it read again.
 */
export async function setPlan(deps: Dependencies, input: { appId: string; plan: Plan; actor: string }): Promise<TwoFactorSettings> {
  for (let race = 0; race < maxPlanRaces; race++) {
    const [app, draft] = await Promise.all([requireApp(deps, input.appId), deps.store.getDraftSettings(input.appId)]);
    const now = new Date(deps.clock()).toISOString();
    const draftMode = draft?.mode ?? 'off';
    const loweredDraft: TwoFactorMode = lowerToPlan(input.plan, draftMode);
    const published = app.publishedConfig;
    const publish: PublishedConfig | null =
      published && lowerToPlan(input.plan, published.mode) !== published.mode
        ? { version: published.version + 1, mode: lowerToPlan(input.plan, published.mode), publishedAt: now }
        : null;
    try {
      await deps.store.changePlan({
        appId: app.id,
        plan: input.plan,
        seen: { publishedVersion: published?.version ?? null, draftMode },
        draftMode: loweredDraft !== draftMode ? loweredDraft : null,
        publish,
        audit: auditEvent(deps, app.id, 'plan.changed', input.actor, null, { from: app.plan, to: input.plan }),
      });
      return readSettings(deps, app.id);
    } catch (error) {
      if (!(error instanceof ConditionFailedError && error.reason === 'plan_race')) throw error;
    }
  }
  throw new ServiceUnavailableError();
}
