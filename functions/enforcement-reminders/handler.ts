import type { Context } from 'aws-lambda';
import { dependencies } from '../commons/table-dependencies.js';
import { logger } from '../commons/logger.js';
import { type ReminderRun, remindEnrollmentDeadlines } from '../core/use-cases/remind-enrollment-deadlines.js';

/** Time kept back from the function's timeout: the run stops before it, and the next run goes on. */
const safetyMarginMs = 2_000;

/**
 * Run by an EventBridge Scheduler schedule (lib/enforcement-reminders.ts): records the enrollment-deadline
 * reminders due now (7 days and 1 day before), which reach users as security events.
 */
export const handler = async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ReminderRun> => {
  const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
  const run = await remindEnrollmentDeadlines(dependencies(), { deadline: Date.now() + remaining - safetyMarginMs });
  logger.info('enrollment deadline reminders', { ...run });
  return run;
};
