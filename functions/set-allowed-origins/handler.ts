import * as z from 'zod';
import { dependencies } from '../commons/table-dependencies.js';
import { setAllowedOrigins } from '../core/use-cases/allowed-origins.js';
import { platformFunction } from '../http/platform.js';
import { allowedOrigins, appId } from '../http/schemas.js';

export const setAllowedOriginsInput = z.strictObject({ appId, allowedOrigins, actor: z.string().min(1).max(200).default('operator') });

/** Platform engineers only: invoked with IAM, no public route. */
export const handler = platformFunction('set-allowed-origins', setAllowedOriginsInput, (input) =>
  setAllowedOrigins(dependencies(), { ...input, actor: `platform:${input.actor}` }),
);
