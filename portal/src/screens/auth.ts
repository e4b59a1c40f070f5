import type { Device, PasswordStepResult, SignedInWithSecondFactor } from '../api/client.js';
import { type Notice, type Portal, lowBackupCodes, lowCodesNotice } from '../portal.js';
import { announce, formatDate, h } from '../ui/dom.js';
import { actionForm, backupCodeField, checkboxField, field, totpField } from '../ui/forms.js';
import { enrollmentWizard } from './enrollment.js';

function switchLink(text: string, label: string, onClick: () => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'link-button' }, label);
  button.addEventListener('click', onClick);
  return h('p', { class: 'switch' }, text, ' ', button);
}

function credentialsFields(passwordAutocomplete: 'current-password' | 'new-password') {
  return {
    email: field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username', spellcheck: false }),
    password: field({
      label: 'Password',
      name: 'password',
      type: 'password',
      autocomplete: passwordAutocomplete,
      minlength: 8,
      hint: passwordAutocomplete === 'new-password' ? 'At least 8 characters.' : undefined,
    }),
  };
}

/** After the password: a session, a second factor to give, or an authenticator to link first. */
async function afterPassword(portal: Portal, email: string, result: PasswordStepResult, isSignUp: boolean): Promise<void> {
  if (result.status === 'SIGNED_IN') {
    const session = { token: result.session.token, email };
    if ('twoFactor' in result && result.twoFactor.suggested && isSignUp) {
      portal.showSignedOut(enrollmentPage(portal, { token: session.token, email, required: false }));
      return;
    }
    // A browser the user trusted at an earlier sign-in skips the code: say so, and until when.
    const trusted = result.session.assurance === 'remembered_device';
    await portal.signedIn(session, trusted ? { kind: 'info', text: trustedBrowserText(result.device) } : undefined);
    return;
  }
  if (result.status === 'TWO_FACTOR_REQUIRED') {
    portal.showSignedOut(secondFactorScreen(portal, result.challenge.token, email, result.challenge.rememberDeviceDays ?? 0));
  } else portal.showSignedOut(enrollmentPage(portal, { token: result.challenge.token, email, required: true }));
}

export function signInScreen(portal: Portal): HTMLElement {
  const { email, password } = credentialsFields('current-password');
  const notice = portal.signedOutNotice;
  portal.signedOutNotice = null;
  const { form } = actionForm({
    submitLabel: 'Sign in',
    fields: [email, password],
    submit: async () => {
      const result = await portal.api.logIn(email.input.value.trim(), password.input.value);
      await afterPassword(portal, email.input.value.trim(), result, false);
    },
  });
  return h(
    'div',
    { class: 'stack' },
    h('h1', { tabindex: -1 }, 'Sign in'),
    notice ? h('div', { class: 'banner info' }, h('p', {}, notice)) : null,
    form,
    switchLink('New here?', 'Create an account', () => portal.showScreen('sign-up')),
  );
}

export function signUpScreen(portal: Portal): HTMLElement {
  const { email, password } = credentialsFields('new-password');
  const { form } = actionForm({
    submitLabel: 'Create account',
    fields: [email, password],
    submit: async () => {
      const result = await portal.api.signUp(email.input.value.trim(), password.input.value);
      await afterPassword(portal, email.input.value.trim(), result, true);
    },
  });
  return h(
    'div',
    { class: 'stack' },
    h('h1', { tabindex: -1 }, 'Create your account'),
    form,
    switchLink('Already have an account?', 'Sign in', () => portal.showScreen('sign-in')),
  );
}

function trustedBrowserText(device: Device): string {
  return device.rememberedUntil
    ? `No code was needed: you trusted this browser until ${formatDate(device.rememberedUntil)}.`
    : 'No code was needed: you trusted this browser.';
}

/** What became of "Trust this browser": the service remembers a browser only when the app allows it. */
function trustOutcomeText(device: Device): string {
  return device.rememberedUntil
    ? `This browser is trusted until ${formatDate(device.rememberedUntil)}: signing in here will not ask for a code until then. You can forget it under Two-factor authentication in the user menu.`
    : 'This app does not let browsers skip the code, so this browser is not trusted: you will enter a code at every sign-in.';
}

/**
 * The code prompt of a login: the authenticator's code, or a backup code instead, and "Trust this
 * browser". Wrong codes say how many attempts are left; a lockout says how long to wait and counts down.
 *
 * The login's challenge says for how many days the app lets a browser skip the code (`rememberDeviceDays`):
 * the box is offered with that number, and not at all when the app does not allow it. Once signed in, the
 * portal says what the service did: trusted until the date it returned, or not trusted (the app's setting
 * changed in between).
 */
function secondFactorScreen(portal: Portal, challengeToken: string, email: string, rememberDeviceDays: number): HTMLElement {
  const root = h('div', { class: 'stack' });
  let trust = false;
  const days = rememberDeviceDays === 1 ? '1 day' : `${rememberDeviceDays} days`;
  const trustField = () => {
    const box = checkboxField({
      label: `Trust this browser for ${days}`,
      name: 'rememberDevice',
      checked: trust,
      hint: `Skip the code on this browser for the next ${days}. Leave it unticked on a shared or public computer.`,
    });
    box.input.addEventListener('change', () => (trust = box.input.checked));
    return box;
  };
  const trustFields = () => (rememberDeviceDays > 0 ? [trustField()] : []);
  const finish = async (result: SignedInWithSecondFactor) => {
    const remaining = result.backupCodesRemaining;
    let notice: Notice | undefined =
      remaining === undefined
        ? undefined
        : remaining <= lowBackupCodes
          ? lowCodesNotice(portal, remaining)
          : { kind: 'info' as const, text: `You signed in with a backup code. ${remaining} backup codes left.` };
    if (trust) {
      const outcome = trustOutcomeText(result.device);
      notice = notice ? { ...notice, text: `${notice.text} ${outcome}` } : { kind: 'info', text: outcome };
    }
    await portal.signedIn({ token: result.session.token, email }, notice);
  };
  const restart = h('button', { type: 'button', class: 'link-button' }, 'Sign in again');
  restart.addEventListener('click', () => portal.showScreen('sign-in'));

  const withApp = () => {
    const code = totpField();
    const useBackup = h('button', { type: 'button', class: 'link-button' }, 'Use a backup code instead');
    useBackup.addEventListener('click', () => withBackupCode());
    const { form } = actionForm({
      submitLabel: 'Verify',
      fields: [code, ...trustFields()],
      submit: async () => finish(await portal.api.verifyLogin(challengeToken, { code: code.input.value.trim() }, trust)),
    });
    root.replaceChildren(
      h('h1', { tabindex: -1 }, 'Two-factor authentication'),
      h('p', {}, 'Open your authenticator app and enter the 6-digit code it shows for this account.'),
      form,
      h('p', { class: 'switch' }, useBackup),
      h('p', { class: 'switch' }, 'Wrong account? ', restart),
    );
  };

  const withBackupCode = () => {
    const backupCode = backupCodeField();
    const useApp = h('button', { type: 'button', class: 'link-button' }, 'Use your authenticator app instead');
    useApp.addEventListener('click', () => {
      withApp();
      root.querySelector<HTMLInputElement>('input')?.focus();
    });
    const { form } = actionForm({
      submitLabel: 'Verify',
      fields: [backupCode, ...trustFields()],
      submit: async () => finish(await portal.api.verifyLogin(challengeToken, { backupCode: backupCode.input.value.trim() }, trust)),
    });
    root.replaceChildren(
      h('h1', { tabindex: -1 }, 'Use a backup code'),
      h('p', {}, 'Lost your phone? Enter one of your backup codes instead.'),
      form,
      h('p', { class: 'switch' }, useApp),
      h('p', { class: 'switch' }, 'Wrong account? ', restart),
    );
    backupCode.input.focus();
  };

  withApp();
  return root;
}

/**
 * Right after the password at sign-up (optional mode: skippable), or at sign-up or login when the app
 * requires 2FA (with the enrollment challenge; the session comes with the confirmation).
 */
function enrollmentPage(portal: Portal, options: { token: string; email: string; required: boolean }): HTMLElement {
  const wizard = enrollmentWizard({
    api: portal.api,
    token: options.token,
    heading: 'h2',
    skip: options.required
      ? undefined
      : {
          label: 'Not now: set it up later from the user menu',
          onSkip: () => void portal.signedIn({ token: options.token, email: options.email }),
        },
    onComplete: (confirmed) => {
      const token = confirmed.session?.token ?? options.token;
      announce('Two-factor authentication is on.');
      void portal.signedIn(
        { token, email: options.email },
        { kind: 'info', text: 'Two-factor authentication is on: you will enter a code from your authenticator app when you sign in.' },
      );
    },
  });
  return h(
    'div',
    { class: 'stack' },
    h('h1', { tabindex: -1 }, 'Secure your account'),
    h(
      'p',
      {},
      options.required
        ? 'This app requires two-factor authentication. Link an authenticator app to finish signing in.'
        : 'Add a second step to signing in: a code from an authenticator app on your phone.',
    ),
    wizard,
  );
}
