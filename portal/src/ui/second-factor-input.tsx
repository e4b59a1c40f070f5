import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { BackupCodeField, TotpField } from './fields.js';

/** What a prompt sends as the second factor: the authenticator app's code, or a backup code instead. */
type SecondFactor = { code: string } | { backupCode: string };

/**
 * The second factor a prompt asks for (sign-in, step-up): the field for the app's code or for a backup code,
 * and the link that switches between them, clearing what was typed.
 */
export function useSecondFactorInput(): {
  method: 'app' | 'backup-code';
  withApp: boolean;
  factor: () => SecondFactor;
  field: JSX.Element;
  switcher: JSX.Element;
} {
  const [withApp, setWithApp] = useState(true);
  const [value, setValue] = useState('');
  return {
    method: withApp ? 'app' : 'backup-code',
    withApp,
    factor: () => (withApp ? { code: value.trim() } : { backupCode: value.trim() }),
    field: withApp ? (
      <TotpField value={value} onValue={setValue} autoFocus />
    ) : (
      <BackupCodeField value={value} onValue={setValue} autoFocus />
    ),
    switcher: (
      <p class="switch">
        <button
          type="button"
          class="link-button"
          onClick={() => {
            setValue('');
            setWithApp(!withApp);
          }}
        >
          {withApp ? 'Use a backup code instead' : 'Use your authenticator app instead'}
        </button>
      </p>
    ),
  };
}
