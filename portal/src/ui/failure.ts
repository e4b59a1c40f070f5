import { ApiError } from '../api/client.js';
import { formatWait } from './format.js';

/** What to tell a person about a refused code, lockout or other failure. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'invalid_code': {
      const left = error.attemptsRemaining;
      if (left === undefined) return 'That code is not valid. Check your authenticator app and try again.';
      if (left === 0) return 'That code is not valid. No attempts are left.';
      return `That code is not valid. You have ${left} attempt${left === 1 ? '' : 's'} left.`;
    }
    case 'too_many_attempts':
      return `Too many wrong attempts. Try again in ${formatWait(error.retryAfterSeconds ?? 60)}.`;
    case 'invalid_credentials':
      return 'The email or password is incorrect.';
    case 'challenge_invalid':
      return 'This sign-in has expired or had too many wrong codes. Sign in again.';
    case 'email_taken':
      return 'An account with this email already exists. Sign in instead.';
    case 'not_enrolled':
      return 'The setup has expired or had too many wrong codes. Start again.';
    case 'validation_error':
      return error.issues.length > 0
        ? `Check your input: ${error.issues.map((issue) => `${issue.path.replace(/^body\./, '')} ${issue.message}`).join('; ')}.`
        : error.message;
    case 'service_unavailable':
      return 'The service is busy. Wait a moment and try again.';
    default:
      return error.message;
  }
}
