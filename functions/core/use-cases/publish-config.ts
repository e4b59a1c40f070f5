import { ConditionFailedError, ServiceUnavailableError } from '../errors.js';
import { requiredSinceAfter } from '../enforcement.js';
import type { PublishedConfig, SettingsValues } from '../model.js';
import type { Dependencies } from '../ports.js';
import { assertSettingsAllowed, weakens } from '../plans.js';
import { requireRecentSecondFactor } from './step-up.js';
import { auditDetail, draftValues, nothingSet } from './two-factor-settings.js';
import { authenticateAdmin } from './authenticate.js';
import { auditEvent, requireApp } from './common.js';

export interface Published {
  version: number;
  publishedAt: string;
  config: { twoFactor: SettingsValues };
}

/**
 * Concurrent publishes each get their own version: a publish takes the next version only if nobody took it
 * first, and one that lost the race (to another publish, or to a plan change since the mode was checked)
 * re-reads and tries the version after. It loses only to a write that committed meanwhile, so of N
 * publishes at once the last commits after at most N − 1 losses; the limit is far above any burst an app's
 * admins produce, and a jittered pause between tries keeps the losers from colliding again in lockstep.
 */
const maxPublishRaces = 100;

function pauseAfterLostRace(race: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 5 * (race + 1))));
}

/**
 * Lost races are retried until `deadline` (epoch ms, inside the function's timeout), so a publish under
 * extreme contention answers 503 with Retry-After instead of being cut off by the timeout.
 */
export async function publishConfig(
  deps: Dependencies,
  input: { appId: string; token: string | null; deadline: number },
): Promise<Published> {
  const principal = await authenticateAdmin(deps, input.appId, input.token);
  const { user } = principal;
  for (let race = 0; race < maxPublishRaces && deps.clock() < input.deadline; race++) {
    // The first try uses the app authentication read; a lost race reads it again.
    const [app, draft] = await Promise.all([
      race === 0 ? principal.app : requireApp(deps, input.appId),
      deps.apps.getDraftSettings(input.appId),
    ]);
    const values = draftValues(draft);
    assertSettingsAllowed(app.plan, values);
    // Putting a lower mode or longer remembering in force needs a recent second factor, as editing it does.
    if (weakens(app.publishedConfig ?? nothingSet, values)) requireRecentSecondFactor(deps, principal);
    const publishedAt = new Date(deps.clock()).toISOString();
    const config: PublishedConfig = {
      version: (app.publishedConfig?.version ?? 0) + 1,
      ...values,
      // A role required before keeps its start (its users' deadlines do not move); a newly required one starts now.
      requiredSince: requiredSinceAfter(app.publishedConfig, values, publishedAt),
      publishedAt,
    };
    try {
      await deps.apps.publishConfig(
        app.id,
        app.plan,
        config,
        auditEvent(deps, app.id, 'config.published', user.id, null, { version: config.version, ...auditDetail(values) }),
      );
      return { version: config.version, publishedAt: config.publishedAt, config: { twoFactor: values } };
    } catch (error) {
      if (!(error instanceof ConditionFailedError && error.reason === 'version_conflict')) throw error;
      await pauseAfterLostRace(race);
    }
  }
  throw new ServiceUnavailableError();
}
