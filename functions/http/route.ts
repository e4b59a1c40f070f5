import type { z } from 'zod';
import { recordOutcomes } from '../commons/metrics.js';
import { traced } from '../commons/tracing.js';
import { cors } from './cors.js';
import { outcomesOf } from './outcomes.js';
import { type RouteRun, type RouteSpec, routePipeline } from './pipeline.js';

/**
 * Builds the Lambda handler of an app's route (`/v1/apps/{appId}/…`): the pipeline of `pipeline.ts` with CORS
 * for the app's allowed origins, which reads the app from the store, the step's outcome metrics and its traces.
 */
export function httpRoute<
  P extends z.ZodType = z.ZodType<Record<string, never>>,
  Q extends z.ZodType = z.ZodType<Record<string, never>>,
  B extends z.ZodType = z.ZodType<undefined>,
>(spec: RouteSpec<P, Q, B>, run: RouteRun<P, Q, B>) {
  return routePipeline(spec, run, [cors()], {
    answered: ({ step, appId, response }) => recordOutcomes(step, appId, outcomesOf(step, response)),
    traced,
  });
}
