import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Outcome } from '../commons/metrics.js';

/** Steps that check a code of an enrolled factor (TOTP or backup code). */
const secondFactorSteps = new Set(['login-verify', 'step-up', 'backup-codes', 'disable']);
/** Steps whose success answer says whether a session was issued (`status`, `session`). */
const signInSteps = new Set(['signup', 'login', 'login-verify', 'enrollment-confirm']);

/** The fields of an answer's JSON body the outcomes depend on; anything else (a `.txt` file) reads as none. */
function fieldsOf(body: string | undefined): { status?: unknown; session?: unknown; error?: { code?: unknown } } {
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * What an app route's answer counts as (see `Outcome`): read from the status code and, where it decides, the
 * body's `status`, `session` or error code. The use cases' results reach here whole, so the metrics count
 * exactly what clients were told.
 */
export function outcomesOf(step: string, response: APIGatewayProxyStructuredResultV2): Outcome[] {
  const statusCode = response.statusCode ?? 200;
  const body = typeof response.body === 'string' ? response.body : undefined;
  if (statusCode === 503) return ['ServiceUnavailable'];
  if (statusCode === 429) return fieldsOf(body).error?.code === 'too_many_attempts' ? ['Lockouts'] : [];
  if (statusCode >= 400) {
    const code = statusCode === 401 && secondFactorSteps.has(step) ? fieldsOf(body).error?.code : undefined;
    return code === 'invalid_code' ? ['SecondFactorFailures'] : [];
  }
  const outcomes: Outcome[] = [];
  if (secondFactorSteps.has(step)) outcomes.push('SecondFactorSuccesses');
  if (step === 'enrollment-confirm') outcomes.push('Enrollments');
  if (step === 'user-reset') outcomes.push('Resets');
  if (signInSteps.has(step)) {
    const answer = fieldsOf(body);
    if (answer.status === 'SIGNED_IN' || (step === 'enrollment-confirm' && answer.session !== undefined)) outcomes.push('SignIns');
  }
  return outcomes;
}
