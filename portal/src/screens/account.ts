import type { DeviceSummary } from '../api/client.js';
import type { Portal } from '../portal.js';
import { announce, errorArea, formatDate, h, icon, icons, openModal, present } from '../ui/dom.js';
import { actionForm, describeFailure, totpField } from '../ui/forms.js';
import { backupCodesPanel, enrollmentWizard } from './enrollment.js';

/** " since <date>" after "On": the service sends when 2FA was turned on whenever it is on. */
function onSince(enabledAt: string | null): string {
  return enabledAt ? ` since ${formatDate(enabledAt)}` : '';
}

/** The signed-in home page: who you are and where your two-factor authentication stands. */
export function homeScreen(portal: Portal): HTMLElement {
  const me = portal.requireMe();
  const twoFactor = me.twoFactor;
  const openButton = h(
    'button',
    { type: 'button', class: twoFactor.enabled ? 'secondary' : 'primary' },
    twoFactor.enabled ? 'Manage two-factor authentication' : 'Turn on two-factor authentication',
  );
  openButton.addEventListener('click', () => portal.openTwoFactor());
  const status = twoFactor.enabled
    ? h('p', {}, `On${onSince(twoFactor.enabledAt)}. Backup codes left: ${twoFactor.backupCodesRemaining ?? 0}.`)
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
 * off; new backup codes and turning it off (unless the app requires it) when on; and, either way, the
 * user's devices (forget one, or sign out everywhere).
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
    const me = portal.requireMe();
    if (me.twoFactor.enabled) manage();
    else if (me.app.twoFactorMode === 'off') notOffered();
    else guidance();
  };

  /** The way to the devices list, at the bottom of every overview. */
  const devicesSection = () => {
    const open = h('button', { type: 'button', class: 'secondary' }, 'Manage devices');
    open.addEventListener('click', () => void devices());
    return h(
      'div',
      { class: 'stack' },
      h('h3', {}, 'Your devices'),
      h('p', {}, 'The browsers signed in to your account, and the ones you trusted to skip the code. Forget one, or sign out everywhere.'),
      h('div', { class: 'actions' }, open),
    );
  };

  const notOffered = () => {
    body.replaceChildren(
      h(
        'div',
        { class: 'stack' },
        h(
          'p',
          {},
          `${portal.requireMe().app.name} has not turned on two-factor authentication. Once its admin does, you can set it up here.`,
        ),
        devicesSection(),
      ),
    );
  };

  const guidance = () => {
    const start = h('button', { type: 'button', class: 'primary' }, 'Start setup');
    start.addEventListener('click', setup);
    body.replaceChildren(
      h(
        'div',
        { class: 'stack guidance' },
        h(
          'p',
          {},
          'Two-factor authentication protects your account with something you have as well as something you know: after your password, you enter a 6-digit code from an authenticator app on your phone.',
        ),
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
        devicesSection(),
      ),
    );
    start.focus();
  };

  const setup = () => {
    body.replaceChildren(
      enrollmentWizard({
        api: portal.api,
        token: portal.requireSession().token,
        heading: 'h3',
        onComplete: () => {
          changed = true;
          void portal
            .refreshMe()
            .catch(() => undefined)
            .then(() => {
              portal.setNotice({
                kind: 'info',
                text: 'Two-factor authentication is on: you will enter a code from your authenticator app when you sign in.',
              });
              modal.close();
            });
        },
      }),
    );
  };

  const manage = () => {
    const me = portal.requireMe();
    const regenerate = h('button', { type: 'button', class: 'secondary' }, 'Generate new backup codes');
    regenerate.addEventListener('click', () => withCode('regenerate'));
    const disable = h('button', { type: 'button', class: 'danger' }, 'Turn off two-factor authentication');
    disable.addEventListener('click', () => withCode('disable'));
    const remaining = me.twoFactor.backupCodesRemaining ?? 0;
    body.replaceChildren(
      h(
        'div',
        { class: 'stack' },
        h('p', { class: 'status-line' }, h('span', { class: 'badge on' }, 'On'), onSince(me.twoFactor.enabledAt)),
        h('h3', {}, 'Backup codes'),
        h(
          'p',
          {},
          `${remaining} unused backup code${remaining === 1 ? '' : 's'} left. Generating a new set makes the old codes stop working.`,
        ),
        h('div', { class: 'actions' }, regenerate),
        h('h3', {}, 'Turn off'),
        me.app.twoFactorMode === 'required'
          ? h('p', { class: 'muted' }, `${me.app.name} requires two-factor authentication, so it cannot be turned off.`)
          : h(
              'div',
              { class: 'stack' },
              h('p', {}, 'Your sign-in will ask for your password only.'),
              h('div', { class: 'actions' }, disable),
            ),
        devicesSection(),
      ),
    );
    regenerate.focus();
  };

  /**
   * Every browser of the user (GET /2fa/devices): when it first signed in and was last used, "This
   * browser" for the one this session belongs to, until when a trusted one skips the code; Forget for
   * each, and Sign out everywhere.
   */
  const devices = async (status?: string) => {
    const heading = h('h3', { tabindex: -1 }, 'Your devices');
    const errors = errorArea();
    const back = h('button', { type: 'button', class: 'secondary' }, 'Back');
    back.addEventListener('click', overview);
    // The heading stays put (and keeps the focus) while the list below it loads and redraws.
    const view = h('div', { class: 'stack', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
    body.replaceChildren(h('div', { class: 'stack' }, heading, view));
    heading.focus();
    let listed: DeviceSummary[];
    try {
      listed = (await portal.api.listDevices(portal.requireSession().token)).devices;
    } catch (error) {
      if (portal.handleSessionFailure(error)) {
        modal.close();
        return;
      }
      view.removeAttribute('aria-busy');
      view.replaceChildren(errors.element, h('div', { class: 'actions' }, back));
      errors.show(describeFailure(error));
      return;
    }
    const name = (device: DeviceSummary) => (device.current ? 'This browser' : 'Another browser');
    const items = listed.map((device) => {
      const forget = h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-label': `Forget ${name(device).toLowerCase()}, first signed in ${formatDate(device.createdAt)}${device.rememberedUntil ? `, remembered until ${formatDate(device.rememberedUntil)}` : ''}`,
        },
        'Forget',
      );
      forget.addEventListener('click', () => {
        forget.disabled = true;
        errors.clear();
        portal.api
          .forgetDevice(portal.requireSession().token, device)
          .then(() => {
            const text = device.current
              ? 'This browser is forgotten: you stay signed in for now, and your next sign-in here counts as a new browser.'
              : 'That browser is forgotten: its next sign-in counts as a new browser. A session still open there goes on until it ends; sign out everywhere to end it now.';
            announce(text);
            void devices(text);
          })
          .catch((error: unknown) => {
            forget.disabled = false;
            if (portal.handleSessionFailure(error)) {
              modal.close();
              return;
            }
            errors.show(describeFailure(error));
          });
      });
      return h(
        'li',
        { class: 'device' },
        h(
          'div',
          { class: 'device-text' },
          h(
            'p',
            { class: 'device-name' },
            h('strong', {}, name(device)),
            device.rememberedUntil ? h('span', { class: 'badge on' }, `Remembered until ${formatDate(device.rememberedUntil)}`) : null,
          ),
          h('p', { class: 'hint' }, `First signed in ${formatDate(device.createdAt)} · Last used ${formatDate(device.lastUsedAt)}`),
        ),
        forget,
      );
    });
    const everywhere = h('button', { type: 'button', class: 'danger' }, 'Sign out everywhere');
    everywhere.addEventListener('click', confirmSignOutEverywhere);
    view.removeAttribute('aria-busy');
    view.replaceChildren(
      ...present(
        h(
          'p',
          {},
          'Each browser that has signed in to your account. A forgotten browser counts as new at its next sign-in: a trusted one has to enter a code again.',
        ),
        status ? h('div', { class: 'banner info' }, h('p', {}, status)) : null,
        items.length > 0
          ? h('ul', { class: 'devices', 'aria-label': 'Devices' }, ...items)
          : h('p', { class: 'muted' }, 'No browser is known for your account any more.'),
        errors.element,
        h('h3', {}, 'Sign out everywhere'),
        h('p', {}, 'Ends every session of your account, this one included, and forgets every browser.'),
        h('div', { class: 'actions' }, everywhere, back),
      ),
    );
  };

  const confirmSignOutEverywhere = () => {
    const errors = errorArea();
    const confirm = h('button', { type: 'button', class: 'danger' }, 'Sign out everywhere');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    cancel.addEventListener('click', () => void devices());
    confirm.addEventListener('click', () => {
      confirm.disabled = true;
      portal.api
        .logOutEverywhere(portal.requireSession().token)
        .then(() => {
          changed = false;
          modal.close();
          portal.signedOutEverywhere();
        })
        .catch((error: unknown) => {
          confirm.disabled = false;
          if (portal.handleSessionFailure(error)) {
            modal.close();
            return;
          }
          errors.show(describeFailure(error));
        });
    });
    body.replaceChildren(
      h(
        'div',
        { class: 'stack' },
        h('h3', { tabindex: -1 }, 'Sign out everywhere?'),
        h(
          'p',
          {},
          'Every session of your account ends, including this one, and every browser is forgotten: each one, this one too, needs your password again, and your code if you use two-factor authentication.',
        ),
        errors.element,
        h('div', { class: 'actions' }, confirm, cancel),
      ),
    );
    body.querySelector<HTMLElement>('h3')?.focus();
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
        const token = portal.requireSession().token;
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
