import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { useFormField } from './form-context.js';
import { useUniqueId } from './hooks.js';

export interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'number';
  autocomplete?: string;
  inputMode?: 'text' | 'numeric' | 'email';
  /** Shown under the label, and the input's accessible description. */
  hint?: string;
  /** Shown under the input, and part of its description too (why a plan cannot use it). */
  note?: string;
  /** A badge after the label, e.g. "Upgrade". */
  badge?: string;
  required?: boolean;
  disabled?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  step?: number;
  spellcheck?: boolean;
  invalidMessage?: string;
  /** A code field: emptied when the service refuses the code. */
  clearWhenRefused?: boolean;
  autoFocus?: boolean;
  inputRef?: RefObject<HTMLInputElement>;
}

/** A labelled input, with an optional hint that is also its accessible description. */
export function TextField(props: TextFieldProps) {
  const id = useUniqueId(`field-${props.name}`);
  const ownRef = useRef<HTMLInputElement>(null);
  const inputRef = props.inputRef ?? ownRef;
  const invalid = useFormField(props.name, {
    invalidMessage: props.invalidMessage,
    clear: props.clearWhenRefused ? () => props.onValue('') : undefined,
  });
  useLayoutEffect(() => {
    if (props.autoFocus) inputRef.current?.focus();
  }, []);
  const hintId = props.hint ? `${id}-hint` : undefined;
  const noteId = props.note ? `${id}-note` : undefined;
  const describedBy = [hintId, noteId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.badge ? <span class="badge">{props.badge}</span> : null}
      </label>
      {props.hint ? (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      ) : null}
      <input
        ref={inputRef}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(event) => props.onValue(event.currentTarget.value)}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        required={props.required ?? true}
        disabled={props.disabled}
        pattern={props.pattern}
        minLength={props.minLength}
        maxLength={props.maxLength}
        min={props.min}
        max={props.max}
        step={props.step}
        spellcheck={props.spellcheck === false ? false : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid ? 'true' : undefined}
      />
      {props.note ? (
        <p id={noteId} class="hint">
          {props.note}
        </p>
      ) : null}
    </div>
  );
}

/** A checkbox with its label beside it and an optional hint that is also its accessible description. */
export function CheckboxField(props: {
  label: string;
  name: string;
  hint?: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
}) {
  const id = useUniqueId(`field-${props.name}`);
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div class="field checkbox-field">
      <div class="checkbox">
        <input
          id={id}
          name={props.name}
          type="checkbox"
          checked={props.checked}
          onChange={(event) => props.onChecked(event.currentTarget.checked)}
          aria-describedby={hintId}
        />
        <label for={id}>{props.label}</label>
      </div>
      {props.hint ? (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

interface CodeFieldProps {
  value: string;
  onValue: (value: string) => void;
  autoFocus?: boolean;
}

/** The six digits of the authenticator app. */
export function TotpField(props: CodeFieldProps) {
  return (
    <TextField
      {...props}
      label="Authentication code"
      name="code"
      autocomplete="one-time-code"
      inputMode="numeric"
      pattern="[0-9]{6}"
      maxLength={6}
      minLength={6}
      hint="The 6-digit code your authenticator app shows now."
      clearWhenRefused
    />
  );
}

/** A backup code from the user's backup codes file, instead of the authenticator's code. */
export function BackupCodeField(props: CodeFieldProps) {
  return (
    <TextField
      {...props}
      label="Backup code"
      name="backupCode"
      autocomplete="off"
      spellcheck={false}
      hint="One of the codes from your backup codes file, like abcde-12345. Each works once."
      minLength={10}
      maxLength={32}
      clearWhenRefused
    />
  );
}
