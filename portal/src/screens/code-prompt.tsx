import { useState } from 'preact/hooks';
import type { Device, SignedInWithSecondFactor } from '../api/client.js';
import { type Notice, lowBackupCodes, lowCodesNotice, usePortal } from '../context.js';
import { ActionForm } from '../ui/action-form.js';
import { CheckboxField } from '../ui/fields.js';
import { formatDate } from '../ui/format.js';
import { PageHeading } from '../ui/page-heading.js';
import { useSecondFactorInput } from '../ui/second-factor-input.js';

/** What became of "Trust this browser": the service remembers a browser only when the app allows it. */
function trustOutcomeText(device: Device): string {
  return device.rememberedUntil
    ? `This browser is trusted until ${formatDate(device.rememberedUntil)}: signing in here will not ask for a code until then. You can forget it under Two-factor authentication in the user menu.`
    : 'This app does not let browsers skip the code, so this browser is not trusted: you will enter a code at every sign-in.';
}

export interface CodePromptProps {
  challengeToken: string;
  email: string;
  /** How many days the app lets a browser skip the code (0: it does not, and the box is not offered). */
  rememberDeviceDays: number;
}

/**
 * The code prompt of a login: the authenticator's code, or a backup code instead, and "Trust this
 * browser". Wrong codes say how many attempts are left; a lockout says how long to wait and counts down.
 *
 * The login's challenge says for how many days the app lets a browser skip the code: the box is offered
 * with that number, and not at all when the app does not allow it. Once signed in, the portal says what
 * the service did: trusted until the date it returned, or not trusted (the app's setting changed in between).
 */
export function CodePrompt({ challengeToken, email, rememberDeviceDays }: CodePromptProps) {
  const portal = usePortal();
  const { method, withApp, factor, field, switcher } = useSecondFactorInput();
  const [trust, setTrust] = useState(false);
  const days = rememberDeviceDays === 1 ? '1 day' : `${rememberDeviceDays} days`;

  const finish = async (result: SignedInWithSecondFactor) => {
    const remaining = result.backupCodesRemaining;
    let notice: Notice | undefined =
      remaining === undefined
        ? undefined
        : remaining <= lowBackupCodes
          ? lowCodesNotice(remaining)
          : { kind: 'info', text: `You signed in with a backup code. ${remaining} backup codes left.` };
    if (trust) {
      const outcome = trustOutcomeText(result.device);
      notice = notice ? { ...notice, text: `${notice.text} ${outcome}` } : { kind: 'info', text: outcome };
    }
    await portal.signedIn({ token: result.session.token, email }, notice);
  };
  const verify = async () => {
    await finish(await portal.api.verifyLogin(challengeToken, factor(), trust));
  };

  return (
    // A new form for each way in: its field gets the focus, and the other way's error goes.
    <div class="stack" key={method}>
      <PageHeading>{withApp ? 'Two-factor authentication' : 'Use a backup code'}</PageHeading>
      <p>
        {withApp
          ? 'Open your authenticator app and enter the 6-digit code it shows for this account.'
          : 'Lost your phone? Enter one of your backup codes instead.'}
      </p>
      <ActionForm submitLabel="Verify" onSubmit={verify}>
        {field}
        {rememberDeviceDays > 0 ? (
          <CheckboxField
            label={`Trust this browser for ${days}`}
            name="rememberDevice"
            hint={`Skip the code on this browser for the next ${days}. Leave it unticked on a shared or public computer.`}
            checked={trust}
            onChecked={setTrust}
          />
        ) : null}
      </ActionForm>
      {switcher}
      <p class="switch">
        Wrong account?{' '}
        <button type="button" class="link-button" onClick={() => portal.show({ screen: 'sign-in' })}>
          Sign in again
        </button>
      </p>
    </div>
  );
}
