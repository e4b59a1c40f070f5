import { ApiError } from '../api/client.js';
import { errorArea, formatWait, h } from './dom.js';

let fieldCount = 0;

export interface Field {
  element: HTMLElement;
  input: HTMLInputElement;
  /** What to say when the input is not valid (default: check the field). */
  invalidMessage?: string;
}

/** A labelled input, with an optional hint that is also its accessible description. */
export function field(options: {
  label: string;
  name: string;
  type?: string;
  autocomplete?: string;
  inputmode?: string;
  hint?: string;
  required?: boolean;
  pattern?: string;
  maxlength?: number;
  minlength?: number;
  spellcheck?: boolean;
}): Field {
  const id = `field-${options.name}-${++fieldCount}`;
  const hintId = options.hint ? `${id}-hint` : undefined;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete,
    inputmode: options.inputmode,
    required: options.required ?? true,
    pattern: options.pattern,
    maxlength: options.maxlength,
    minlength: options.minlength,
    spellcheck: options.spellcheck === false ? 'false' : undefined,
    'aria-describedby': hintId,
  });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label),
    options.hint ? h('p', { id: hintId, class: 'hint' }, options.hint) : null,
    input,
  );
  return { element, input };
}

/** A checkbox with its label beside it and an optional hint that is also its accessible description. */
export function checkboxField(options: { label: string; name: string; hint?: string; checked?: boolean }): Field {
  const id = `field-${options.name}-${++fieldCount}`;
  const hintId = options.hint ? `${id}-hint` : undefined;
  const input = h('input', { id, name: options.name, type: 'checkbox', checked: options.checked ?? false, 'aria-describedby': hintId });
  const element = h(
    'div',
    { class: 'field checkbox-field' },
    h('div', { class: 'checkbox' }, input, h('label', { for: id }, options.label)),
    options.hint ? h('p', { id: hintId, class: 'hint' }, options.hint) : null,
  );
  return { element, input };
}

/** The six digits of the authenticator app. */
export function totpField(label = 'Authentication code'): Field {
  return field({
    label,
    name: 'code',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    pattern: '[0-9]{6}',
    maxlength: 6,
    minlength: 6,
    hint: 'The 6-digit code your authenticator app shows now.',
  });
}

/** A backup code from the user's backup codes file, instead of the authenticator's code. */
export function backupCodeField(): Field {
  return field({
    label: 'Backup code',
    name: 'backupCode',
    autocomplete: 'off',
    spellcheck: false,
    hint: 'One of the codes from your backup codes file, like abcde-12345. Each works once.',
    minlength: 10,
    maxlength: 32,
  });
}

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

/**
 * A form that runs `submit` once at a time: the button is disabled while it runs, a failure is shown in
 * the form's alert area, and a lockout (429) keeps the button disabled, counting down, until it ends.
 */
export function actionForm(options: {
  submitLabel: string;
  fields: Field[];
  submit: () => Promise<void>;
  extra?: Node[];
  className?: string;
}) {
  const errors = errorArea();
  const button = h('button', { type: 'submit', class: 'primary' }, options.submitLabel);
  const countdown = h('p', { class: 'countdown', 'aria-live': 'polite', hidden: true });
  const form = h(
    'form',
    { class: options.className ?? 'stack', novalidate: true },
    ...options.fields.map((item) => item.element),
    errors.element,
    countdown,
    h('div', { class: 'actions' }, button, ...(options.extra ?? [])),
  );
  let lockedUntil = 0;
  const lock = (seconds: number) => {
    lockedUntil = Date.now() + seconds * 1000;
    button.disabled = true;
    countdown.hidden = false;
    const tick = () => {
      const left = Math.ceil((lockedUntil - Date.now()) / 1000);
      if (!form.isConnected) return;
      if (left <= 0) {
        countdown.hidden = true;
        countdown.textContent = '';
        button.disabled = false;
        errors.clear();
        return;
      }
      countdown.textContent = `You can try again in ${formatWait(left)}.`;
      window.setTimeout(tick, 1000);
    };
    tick();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const invalid = options.fields.find((item) => !item.input.checkValidity());
    if (invalid) {
      errors.show(
        invalid.invalidMessage ??
          (invalid.input.name === 'code'
            ? 'Enter the 6-digit code from your authenticator app.'
            : `Check the field “${invalid.element.querySelector('label')?.textContent ?? invalid.input.name}”.`),
      );
      invalid.input.setAttribute('aria-invalid', 'true');
      invalid.input.focus();
      return;
    }
    options.fields.forEach((item) => item.input.removeAttribute('aria-invalid'));
    errors.clear();
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    options
      .submit()
      .catch((error: unknown) => {
        errors.show(describeFailure(error));
        const codeField = options.fields.find((item) => item.input.name === 'code' || item.input.name === 'backupCode');
        if (error instanceof ApiError && error.code === 'too_many_attempts') lock(error.retryAfterSeconds ?? 60);
        if (error instanceof ApiError && error.code === 'invalid_code' && codeField) {
          codeField.input.value = '';
          codeField.input.setAttribute('aria-invalid', 'true');
          codeField.input.focus();
        }
      })
      .finally(() => {
        form.removeAttribute('aria-busy');
        if (Date.now() >= lockedUntil) button.disabled = false;
      });
  });
  return { form, errors, button };
}
