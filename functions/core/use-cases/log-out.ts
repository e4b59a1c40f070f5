import type { Dependencies } from '../ports.js';
import { authenticateSession } from './authenticate.js';

export async function logOut(deps: Dependencies, input: { appId: string; token: string | null }): Promise<void> {
  const { session } = await authenticateSession(deps, input.appId, input.token, { allowWithoutRequiredFactor: true });
  await deps.sessions.deleteSession(session.tokenHash);
}
