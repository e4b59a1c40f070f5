import type { Portal } from '../portal.js';
import { announce, formatDate, h, icon, icons, openModal } from '../ui/dom.js';
import { actionForm, totpField } from '../ui/forms.js';
import { backupCodesPanel, enrollmentWizard } from './enrollment.js';

/** The signed-in home page: who you are and where your two-factor authentication stands. */
export function homeScreen(portal: Portal): HTMLElement {
  const me = portal.me!;
  const twoFactor = me.twoFactor;
  const openButton = h('button', { type: 'button', class: twoFactor.enabled ? 'secondary' : 'primary' }, twoFactor.enabled ? 'Manage two-factor authentication' : 'Turn on two-factor authentication');
  openButton.addEventListener('click', () => portal.openTwoFactor());
  const status = twoFactor.enabled
    ? h('p', {}, `On since ${formatDate(twoFactor.enabledAt!)}. Backup codes left: ${twoFactor.backupCodesRemaining ?? 0}.`)
    : me.app.twoFactorMode === 'off'
      ? h('p', {}, 'This app does not offer two-factor authentication yet.')
      : h('p', {}, 'Off. Add a code from an authenticator app to your sign-in, so a stolen password is not enough.');
  return h(
    'div',
    { class: 'stack' },
    h('h1', { tabindex: -1 }, `Welcome, ${me.user.email}`),
    h('p', { class: 'muted' }, `You are signed in to ${me.app.name}${me.user.role === 'admin' ? ' as an admin' : ''}.`),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'home-2fa' },
      h('h2', { id: 'home-2fa' }, icon(icons.shield), 'Two-factor authentication'),
      status,
      me.app.twoFactorMode === 'off' && !twoFactor.enabled ? null : h('div', { class: 'actions' }, openButton),
      h('p', { class: 'hint' }, 'You can also reach this from the user menu at the bottom left.'),
    ),
  );
}

/**
 * The user menu's "Two-factor authentication" modal: guidance and setup (link → confirm → codes) when
 * off; new backup codes and turning it off (unless the app requires it) when on.
 */
export function twoFactorModal(portal: Portal): HTMLElement {
  // Every change refreshes `me` before the modal can close, so closing redraws the page at once, before
  // the user can reach for the menu again.
  let changed = false;
  const modal = openModal({
    title: 'Two-factor authentication',
    className: 'two-factor-dialog',
    onClose: () => {
      if (changed) portal.render({ focus: 'user-menu' });
    },
  });
  const body = modal.body;

  const overview = () => {
    const me = portal.me!;
    if (!me.twoFactor.enabled) return me.app.twoFactorMode === 'off' ? notOffered() : guidance();
    return manage();
  };

  const notOffered = () => {
    body.replaceChildren(h('p', {}, `${portal.me!.app.name} has not turned on two-factor authentication. Once its admin does, you can set it up here.`));
  };

  const guidance = () => {
    const start = h('button', { type: 'button', class: 'primary' }, 'Start setup');
    start.addEventListener('click', setup);
    body.replaceChildren(
      h(
        'div',
        { class: 'stack guidance' },
        h('p', {}, 'Two-factor authentication protects your account with something you have as well as something you know: after your password, you enter a 6-digit code from an authenticator app on your phone.'),
        h('h3', {}, 'What you need'),
        h('p', {}, 'An authenticator app such as Google Authenticator, Authy, Microsoft Authenticator or 1Password.'),
        h('h3', {}, 'How it works'),
        h(
          'ol',
          { class: 'steps' },
          h('li', {}, h('strong', {}, 'Link authenticator app: '), 'scan a QR code, or type a key, in your app.'),
          h('li', {}, h('strong', {}, 'Confirm linking: '), 'enter the code the app shows.'),
          h('li', {}, h('strong', {}, 'Download backup codes: '), 'keep them safe; each signs you in once if you lose your phone.'),
        ),
        h('div', { class: 'actions' }, start),
      ),
    );
    start.focus();
  };

  const setup = () => {
    body.replaceChildren(
      enrollmentWizard({
        api: portal.api,
        token: portal.session!.token,
        heading: 'h3',
        onComplete: () => {
          changed = true;
          void portal
            .refreshMe()
            .catch(() => undefined)
            .then(() => {
              portal.setNotice({ kind: 'info', text: 'Two-factor authentication is on: you will enter a code from your authenticator app when you sign in.' });
              modal.close();
            });
        },
      }),
    );
  };

  const manage = () => {
    const me = portal.me!;
    const regenerate = h('button', { type: 'button', class: 'secondary' }, 'Generate new backup codes');
    regenerate.addEventListener('click', () => withCode('regenerate'));
    const disable = h('button', { type: 'button', class: 'danger' }, 'Turn off two-factor authentication');
    disable.addEventListener('click', () => withCode('disable'));
    const remaining = me.twoFactor.backupCodesRemaining ?? 0;
    body.replaceChildren(
      h(
        'div',
        { class: 'stack' },
        h('p', { class: 'status-line' }, h('span', { class: 'badge on' }, 'On'), ` since ${formatDate(me.twoFactor.enabledAt!)}`),
        h('h3', {}, 'Backup codes'),
        h('p', {}, `${remaining} unused backup code${remaining === 1 ? '' : 's'} left. Generating a new set makes the old codes stop working.`),
        h('div', { class: 'actions' }, regenerate),
        h('h3', {}, 'Turn off'),
        me.app.twoFactorMode === 'required'
          ? h('p', { class: 'muted' }, `${me.app.name} requires two-factor authentication, so it cannot be turned off.`)
          : h('div', { class: 'stack' }, h('p', {}, 'Your sign-in will ask for your password only.'), h('div', { class: 'actions' }, disable)),
      ),
    );
    regenerate.focus();
  };

  const withCode = (action: 'regenerate' | 'disable') => {
    const code = totpField();
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    cancel.addEventListener('click', manage);
    const { form } = actionForm({
      submitLabel: action === 'regenerate' ? 'Generate new codes' : 'Turn off',
      fields: [code],
      extra: [cancel],
      submit: async () => {
        const token = portal.session!.token;
        try {
          if (action === 'regenerate') {
            const codes = await portal.api.regenerateBackupCodes(token, code.input.value.trim());
            changed = true;
            // The new codes are shown whatever happens to this refresh: the old ones no longer work.
            await portal.refreshMe().catch(() => undefined);
            portal.setNotice(null);
            body.replaceChildren(
              backupCodesPanel({
                heading: h('h3', { tabindex: -1 }, 'Your new backup codes'),
                codes: codes.backupCodes,
                file: codes.backupCodesFile,
                doneLabel: 'Done',
                onDone: () => modal.close(),
              }),
            );
            body.querySelector<HTMLElement>('h3')?.focus();
            announce('New backup codes generated. The old ones no longer work.');
          } else {
            await portal.api.disableTwoFactor(token, code.input.value.trim());
            changed = true;
            await portal.refreshMe().catch(() => undefined);
            portal.setNotice({ kind: 'info', text: 'Two-factor authentication is off.' });
            modal.close();
          }
        } catch (error) {
          if (portal.handleSessionFailure(error)) {
            modal.close();
            return;
          }
          throw error;
        }
      },
    });
    body.replaceChildren(
      h(
        'div',
        { class: 'stack' },
        h('h3', { tabindex: -1 }, action === 'regenerate' ? 'Generate new backup codes' : 'Turn off two-factor authentication'),
        h('p', {}, 'To confirm it is you, enter the code your authenticator app shows now.'),
        form,
      ),
    );
    code.input.focus();
  };

  overview();
  return modal.dialog;
}
