import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.js';

/**
 * The service's outcomes as CloudWatch metrics (EMF lines in the function's log, namespace `TwoFactor`), each a
 * count of answers: the sign-in funnel, lockouts, enrollments, resets and 503s.
 */
export type Outcome =
  /** A session was issued: sign-up, a login or login/verify answering `SIGNED_IN`, an enrollment that signs in. */
  | 'SignIns'
  /** A code of an enrolled factor (TOTP or backup code) was accepted: login/verify, step-up, regenerate, disable. */
  | 'SecondFactorSuccesses'
  /** Such a code was refused (`invalid_code`). */
  | 'SecondFactorFailures'
  /** An answer refused by a lockout (`429 too_many_attempts`), of a password or of a second factor. */
  | 'Lockouts'
  /** An authenticator was linked (enrollment confirmed). */
  | 'Enrollments'
  /** An admin or a platform engineer reset a user's 2FA. */
  | 'Resets'
  /** A dependency failed or the request's deadline passed: `503 service_unavailable`. */
  | 'ServiceUnavailable';

/**
 * Dimensions `service` and `step` only: a few dozen metric series in all, whatever the number of apps. The app
 * and the request id ride along as EMF properties (searchable in Logs Insights, not billed as metrics).
 */
const metrics = new Metrics({ namespace: 'TwoFactor', serviceName: 'two-factor' });

/** Emits one EMF line with a count of 1 for each outcome of the request, if it had any. */
export function recordOutcomes(step: string, appId: string | undefined, outcomes: readonly Outcome[]): void {
  if (outcomes.length === 0) return;
  metrics.addDimension('step', step);
  if (appId !== undefined) metrics.addMetadata('appId', appId);
  const correlationId = logger.getCorrelationId();
  if (typeof correlationId === 'string') metrics.addMetadata('correlationId', correlationId);
  for (const outcome of outcomes) metrics.addMetric(outcome, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
