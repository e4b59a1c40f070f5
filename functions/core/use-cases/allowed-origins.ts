import { ConditionFailedError, NotFoundError } from '../errors.js';
import type { Dependencies } from '../ports.js';
import { auditEvent } from './common.js';

/**
 * Replaces the web origins whose pages may call the app's API from a browser. Platform engineers set them
 * (an app's portal lives where they deploy it); an empty list closes the API to every browser origin.
 */
export async function setAllowedOrigins(
  deps: Dependencies,
  input: { appId: string; allowedOrigins: string[]; actor: string },
): Promise<{ appId: string; allowedOrigins: string[] }> {
  const allowedOrigins = [...new Set(input.allowedOrigins)];
  try {
    await deps.apps.setAllowedOrigins(
      input.appId,
      allowedOrigins,
      auditEvent(deps, input.appId, 'allowed_origins.changed', input.actor, null, { allowedOrigins: allowedOrigins.join(' ') }),
    );
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new NotFoundError('The app');
    throw error;
  }
  return { appId: input.appId, allowedOrigins };
}

/** The origins whose pages may call the app's API (none for an unknown app). */
export async function allowedOriginsOf(deps: Dependencies, appId: string): Promise<string[]> {
  return (await deps.apps.getAppRuntime(appId))?.allowedOrigins ?? [];
}
