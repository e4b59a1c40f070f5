import { useState } from 'preact/hooks';
import type { Device, PasswordStepResult } from '../api/client.js';
import { type PortalContextValue, usePortal } from '../context.js';
import { ActionForm } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { TextField } from '../ui/fields.js';
import { formatDate } from '../ui/format.js';
import { PageHeading } from '../ui/page-heading.js';
import { EnrollmentWizard } from './enrollment.js';

function trustedBrowserText(device: Device): string {
  return device.rememberedUntil
    ? `No code was needed: you trusted this browser until ${formatDate(device.rememberedUntil)}.`
    : 'No code was needed: you trusted this browser.';
}

/** After the password: a session, a second factor to give, or an authenticator to link first. */
async function afterPassword(portal: PortalContextValue, email: string, result: PasswordStepResult, isSignUp: boolean): Promise<void> {
  if (result.status === 'SIGNED_IN') {
    if ('twoFactor' in result && result.twoFactor.suggested && isSignUp) {
      portal.show({ screen: 'enrollment', token: result.session.token, email, required: false });
      return;
    }
    // A browser the user trusted at an earlier sign-in skips the code: say so, and until when.
    const trusted = result.session.assurance === 'remembered_device';
    await portal.signedIn(
      { token: result.session.token, email },
      trusted ? { kind: 'info', text: trustedBrowserText(result.device) } : undefined,
    );
    return;
  }
  if (result.status === 'TWO_FACTOR_REQUIRED') {
    portal.show({
      screen: 'code-prompt',
      challengeToken: result.challenge.token,
      email,
      rememberDeviceDays: result.challenge.rememberDeviceDays ?? 0,
    });
  } else portal.show({ screen: 'enrollment', token: result.challenge.token, email, required: true });
}

/** The email and password of sign-in and sign-up, the email focused first. */
function CredentialsForm(props: {
  submitLabel: string;
  passwordAutocomplete: 'current-password' | 'new-password';
  onSubmit: (email: string, password: string) => Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <ActionForm submitLabel={props.submitLabel} onSubmit={() => props.onSubmit(email.trim(), password)}>
      <TextField
        label="Email"
        name="email"
        type="email"
        autocomplete="username"
        spellcheck={false}
        value={email}
        onValue={setEmail}
        autoFocus
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autocomplete={props.passwordAutocomplete}
        minLength={8}
        hint={props.passwordAutocomplete === 'new-password' ? 'At least 8 characters.' : undefined}
        value={password}
        onValue={setPassword}
      />
    </ActionForm>
  );
}

function SwitchLink({ text, label, onClick }: { text: string; label: string; onClick: () => void }) {
  return (
    <p class="switch">
      {text}{' '}
      <button type="button" class="link-button" onClick={onClick}>
        {label}
      </button>
    </p>
  );
}

/** `notice`: what happened before, e.g. "You signed out everywhere". */
export function SignIn({ notice }: { notice?: string }) {
  const portal = usePortal();
  return (
    <div class="stack">
      <PageHeading>Sign in</PageHeading>
      {notice ? (
        <div class="banner info">
          <p>{notice}</p>
        </div>
      ) : null}
      <CredentialsForm
        submitLabel="Sign in"
        passwordAutocomplete="current-password"
        onSubmit={async (email, password) => afterPassword(portal, email, await portal.api.logIn(email, password), false)}
      />
      <SwitchLink text="New here?" label="Create an account" onClick={() => portal.show({ screen: 'sign-up' })} />
    </div>
  );
}

export function SignUp() {
  const portal = usePortal();
  return (
    <div class="stack">
      <PageHeading>Create your account</PageHeading>
      <CredentialsForm
        submitLabel="Create account"
        passwordAutocomplete="new-password"
        onSubmit={async (email, password) => afterPassword(portal, email, await portal.api.signUp(email, password), true)}
      />
      <SwitchLink text="Already have an account?" label="Sign in" onClick={() => portal.show({ screen: 'sign-in' })} />
    </div>
  );
}

/**
 * Right after the password at sign-up (optional mode: skippable), or at sign-up or login when the app
 * requires 2FA (with the enrollment challenge; the session comes with the confirmation).
 */
export function EnrollmentPage({ token, email, required }: { token: string; email: string; required: boolean }) {
  const portal = usePortal();
  return (
    <div class="stack">
      <PageHeading>Secure your account</PageHeading>
      <p>
        {required
          ? 'This app requires two-factor authentication. Link an authenticator app to finish signing in.'
          : 'Add a second step to signing in: a code from an authenticator app on your phone.'}
      </p>
      <EnrollmentWizard
        token={token}
        heading="h2"
        skip={
          required
            ? undefined
            : { label: 'Not now: set it up later from the user menu', onSkip: () => void portal.signedIn({ token, email }) }
        }
        onComplete={(confirmed) => {
          announce('Two-factor authentication is on.');
          void portal.signedIn(
            { token: confirmed.session?.token ?? token, email },
            { kind: 'info', text: 'Two-factor authentication is on: you will enter a code from your authenticator app when you sign in.' },
          );
        }}
      />
    </div>
  );
}
