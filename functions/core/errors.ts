/**
 * Domain errors. Each carries the stable machine code and HTTP status of API.md, and a message safe to
 * show a client; the internal cause (if any) travels in `cause` and is never exposed.
 */
export type ErrorCode =
  | 'validation_error'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'invalid_code'
  | 'challenge_invalid'
  | 'forbidden'
  | 'step_up_required'
  | 'plan_upgrade_required'
  | 'two_factor_not_available'
  | 'two_factor_required'
  | 'not_found'
  | 'email_taken'
  | 'already_enabled'
  | 'not_enrolled'
  | 'payload_too_large'
  | 'too_many_attempts'
  | 'internal_error'
  | 'service_unavailable';

const statusOf: Record<ErrorCode, number> = {
  validation_error: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_code: 401,
  challenge_invalid: 401,
  forbidden: 403,
  step_up_required: 403,
  plan_upgrade_required: 403,
  two_factor_not_available: 403,
  two_factor_required: 403,
  not_found: 404,
  email_taken: 409,
  already_enabled: 409,
  not_enrolled: 409,
  payload_too_large: 413,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
};

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Base of every error the domain raises on purpose. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra fields API.md puts next to `code` and `message` (e.g. `attemptsRemaining`). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
    this.statusCode = statusOf[code];
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  constructor(issues: ValidationIssue[], message = 'The request is not valid.') {
    super('validation_error', message, { issues });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} was not found.`);
    this.name = 'NotFoundError';
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'A valid session token is required.') {
    super('unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.') {
    super('forbidden', message);
    this.name = 'ForbiddenError';
  }
}

/**
 * The action weakens an account or an app, and the caller's session has not proved its second factor in
 * the last 10 minutes: `POST /2fa/step-up` first.
 */
export class StepUpRequiredError extends DomainError {
  constructor() {
    super('step_up_required', 'Confirm it is you: enter a code from your authenticator app (POST /2fa/step-up), then try again.');
    this.name = 'StepUpRequiredError';
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('invalid_credentials', 'The email or password is incorrect.');
    this.name = 'InvalidCredentialsError';
  }
}

export class InvalidCodeError extends DomainError {
  constructor(attemptsRemaining: number) {
    super('invalid_code', 'The code is not valid.', { attemptsRemaining });
    this.name = 'InvalidCodeError';
  }
}

export class ChallengeInvalidError extends DomainError {
  constructor() {
    super('challenge_invalid', 'The challenge is invalid or has expired. Sign in again.');
    this.name = 'ChallengeInvalidError';
  }
}

export class ConflictError extends DomainError {
  constructor(code: 'email_taken' | 'already_enabled' | 'not_enrolled', message: string) {
    super(code, message);
    this.name = 'ConflictError';
  }
}

export class PolicyError extends DomainError {
  constructor(code: 'plan_upgrade_required' | 'two_factor_not_available' | 'two_factor_required', message: string) {
    super(code, message);
    this.name = 'PolicyError';
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('too_many_attempts', 'Too many attempts. Try again later.', { retryAfterSeconds });
    this.name = 'TooManyAttemptsError';
  }
}

/** A dependency (table, key service) failed or throttled; the client may retry. */
export class ServiceUnavailableError extends DomainError {
  constructor(options?: ErrorOptions) {
    super('service_unavailable', 'The service is temporarily unavailable. Try again shortly.', { retryAfterSeconds: 1 }, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** The errors raised in more than one place, each written once with its message. */
export const catalogue = {
  alreadyEnabled: () => new ConflictError('already_enabled', 'Two-factor authentication is already enabled.'),
  notEnrolled: () => new ConflictError('not_enrolled', 'Two-factor authentication is not enabled.'),
  noEnrollmentInProgress: () => new ConflictError('not_enrolled', 'No enrollment is in progress. Start the enrollment again.'),
  twoFactorNotAvailable: () => new PolicyError('two_factor_not_available', 'Two-factor authentication is not enabled for this app.'),
};

/** Why a conditional write of a repository lost its race (see the repositories in ports.ts). */
export type ConflictReason =
  | 'app_exists'
  | 'app_gone'
  | 'plan_changed'
  | 'plan_race'
  | 'version_conflict'
  | 'email_taken'
  | 'user_exists'
  | 'user_changed'
  | 'user_gone'
  | 'device_changed'
  | 'challenge_spent'
  /** Parallel logins filled the factor's login challenges since it was read. */
  | 'challenges_full'
  | 'step_used'
  | 'count_locked'
  | 'count_moved'
  | 'backup_code_used'
  | 'already_enabled'
  | 'not_enrolled'
  | 'enrollment_gone'
  | 'audit_exists'
  | 'reminder_sent';

/**
 * Raised by a repository when a conditional write lost a race or found the state changed.
 * `reason` names which single-use thing was already spent, so the use case can answer precisely.
 */
export class ConditionFailedError extends Error {
  constructor(
    readonly reason: ConflictReason,
    options?: ErrorOptions,
  ) {
    super(`condition failed: ${reason}`, options);
    this.name = 'ConditionFailedError';
  }
}

/**
 * A sealed secret failed authentication on opening: it was altered, or copied from another user's or
 * app's item. Such a secret proves nothing, so the code checked against it counts as wrong.
 */
export class SecretUnreadableError extends Error {
  constructor(options?: ErrorOptions) {
    super('sealed secret failed authentication', options);
    this.name = 'SecretUnreadableError';
  }
}
