import { ConditionFailedError, ServiceUnavailableError } from '../errors.js';
import type { Plan, PublishedConfig } from '../model.js';
import type { Dependencies } from '../ports.js';
import { requiredSinceAfter } from '../enforcement.js';
import { lowerSettingsToPlan, sameSettings } from '../plans.js';
import { auditEvent, requireApp } from './common.js';
import { type TwoFactorSettings, draftValues, maxPlanRaces, readSettings } from './two-factor-settings.js';

/**
 * Changes an app's plan. A mode the new plan no longer allows is lowered to the highest it allows (and
 * remembering devices turned off where the plan has none), in the
 * draft and, by publishing a new version, in the live config: a downgrade takes effect at once. The write
 * is conditioned on the version and draft it read, so a concurrent publish or edit makes it read again.
 */
export async function setPlan(deps: Dependencies, input: { appId: string; plan: Plan; actor: string }): Promise<TwoFactorSettings> {
  for (let race = 0; race < maxPlanRaces; race++) {
    const [app, draft] = await Promise.all([requireApp(deps, input.appId), deps.apps.getDraftSettings(input.appId)]);
    const now = new Date(deps.clock()).toISOString();
    const seenDraft = draftValues(draft);
    const loweredDraft = lowerSettingsToPlan(input.plan, seenDraft);
    const published = app.publishedConfig;
    const loweredPublished = published ? lowerSettingsToPlan(input.plan, published) : null;
    const publish: PublishedConfig | null =
      published && loweredPublished && !sameSettings(published, loweredPublished)
        ? {
            ...loweredPublished,
            version: published.version + 1,
            requiredSince: requiredSinceAfter(published, loweredPublished, now),
            publishedAt: now,
          }
        : null;
    try {
      await deps.apps.changePlan({
        appId: app.id,
        plan: input.plan,
        seen: { publishedVersion: published?.version ?? null, draft: seenDraft },
        draft: sameSettings(seenDraft, loweredDraft) ? null : { ...loweredDraft, updatedAt: now },
        publish,
        audit: auditEvent(deps, app.id, 'plan.changed', input.actor, null, { from: app.plan, to: input.plan }),
      });
      return await readSettings(deps, app.id);
    } catch (error) {
      if (!(error instanceof ConditionFailedError && error.reason === 'plan_race')) throw error;
    }
  }
  throw new ServiceUnavailableError();
}
