import * as z from 'zod';
import { dependencies } from '../commons/table-dependencies.js';
import { plans } from '../core/model.js';
import { setPlan } from '../core/use-cases/set-plan.js';
import { platformFunction } from '../http/platform.js';
import { appId } from '../http/schemas.js';

export const setPlanInput = z.strictObject({ appId, plan: z.enum(plans), actor: z.string().min(1).max(200).default('operator') });

/** Platform engineers only: invoked with IAM, no public route. */
export const handler = platformFunction('set-plan', setPlanInput, (input) =>
  setPlan(dependencies(), { ...input, actor: `platform:${input.actor}` }),
);
