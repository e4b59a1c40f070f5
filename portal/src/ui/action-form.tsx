import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { describeFailure } from './failure.js';
import { type FieldHandle, FormContext, type FormContextValue } from './form-context.js';
import { formatWait } from './format.js';

/** An area that announces itself (role=alert) when a message is put in it; empty, it shows nothing. */
export function ErrorArea({ message }: { message: string }) {
  return (
    <div class="error" role="alert">
      {message}
    </div>
  );
}

/** A lockout's wait (429 with Retry-After): counts down each second, then calls `onEnd`. */
function useLockout(onEnd: () => void) {
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (until === 0) return;
    const timer = window.setInterval(() => {
      const at = Date.now();
      setNow(at);
      if (at >= until) {
        setUntil(0);
        onEnd();
      }
    }, 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return {
    locked: until > 0,
    secondsLeft: Math.max(0, Math.ceil((until - now) / 1000)),
    lockFor(seconds: number) {
      const at = Date.now();
      setNow(at);
      setUntil(at + seconds * 1000);
    },
  };
}

const codeFieldNames = ['code', 'backupCode'];

export interface ActionFormProps {
  submitLabel: string;
  /** Runs once at a time; its refusal is shown in the form. */
  onSubmit: () => Promise<void>;
  /** Buttons after the submit button (Cancel, Back). */
  extra?: ComponentChildren;
  className?: string;
  /** The fields (TextField, TotpField, CheckboxField, …). */
  children: ComponentChildren;
}

/**
 * A form that runs `onSubmit` once at a time: the browser's constraint validation first (the first
 * invalid field is named, marked and focused), the button disabled while it runs, a failure shown in the
 * form's alert area, a refused code emptied and focused, and a lockout (429) keeping the button disabled,
 * counting down, until it ends.
 */
export function ActionForm({ submitLabel, onSubmit, extra, className = 'stack', children }: ActionFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const fields = useRef(new Map<string, { readonly current: FieldHandle }>());
  const [invalidField, setInvalidField] = useState<string | null>(null);
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const lockout = useLockout(() => setFailure(''));
  const context = useMemo<FormContextValue>(
    () => ({
      invalidField,
      register(name, handle) {
        fields.current.set(name, handle);
        return () => fields.current.delete(name);
      },
    }),
    [invalidField],
  );

  const submit = (event: Event) => {
    event.preventDefault();
    const form = formRef.current;
    if (!form || busy || lockout.locked) return;
    const invalid = [...form.elements].find(
      (element): element is HTMLInputElement => element instanceof HTMLInputElement && !element.checkValidity(),
    );
    if (invalid) {
      const label = invalid.labels?.[0]?.textContent ?? invalid.name;
      setFailure(
        fields.current.get(invalid.name)?.current.invalidMessage ??
          (invalid.name === 'code' ? 'Enter the 6-digit code from your authenticator app.' : `Check the field “${label}”.`),
      );
      setInvalidField(invalid.name);
      invalid.focus();
      return;
    }
    setInvalidField(null);
    setFailure('');
    setBusy(true);
    void onSubmit()
      .catch((error: unknown) => {
        setFailure(describeFailure(error));
        if (error instanceof ApiError && error.code === 'too_many_attempts') lockout.lockFor(error.retryAfterSeconds ?? 60);
        const codeField = codeFieldNames.find((name) => fields.current.has(name));
        if (error instanceof ApiError && error.code === 'invalid_code' && codeField) {
          fields.current.get(codeField)?.current.clear?.();
          setInvalidField(codeField);
          const input = form.elements.namedItem(codeField);
          if (input instanceof HTMLInputElement) input.focus();
        }
      })
      .finally(() => setBusy(false));
  };

  return (
    <FormContext.Provider value={context}>
      <form ref={formRef} class={className} noValidate onSubmit={submit} aria-busy={busy ? 'true' : undefined}>
        {children}
        <ErrorArea message={failure} />
        <p class="countdown" aria-live="polite" hidden={!lockout.locked}>
          {lockout.locked ? `You can try again in ${formatWait(lockout.secondsLeft)}.` : ''}
        </p>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || lockout.locked}>
            {submitLabel}
          </button>
          {extra}
        </div>
      </form>
    </FormContext.Provider>
  );
}
