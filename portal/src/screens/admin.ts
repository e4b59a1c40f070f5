import type { TwoFactorMode, TwoFactorSettings, UserSummary } from '../api/client.js';
import type { Portal } from '../portal.js';
import { announce, errorArea, formatDate, h, icon, icons, openMenu, openModal, present } from '../ui/dom.js';
import { actionForm, describeFailure, field } from '../ui/forms.js';
import { isStepUpCancelled, withStepUp } from './step-up.js';

const modeText: Record<TwoFactorMode, { label: string; description: string }> = {
  off: { label: 'Off', description: 'Users sign in with their password only.' },
  optional: {
    label: 'Optional',
    description:
      'Sign-up suggests linking an authenticator app and the user menu offers it. Users who link one enter a code at every sign-in.',
  },
  required: {
    label: 'Required',
    description: 'Every user must link an authenticator app: new users at sign-up, existing users at their next sign-in.',
  },
};

const planNames: Record<TwoFactorSettings['plan'], string> = { free: 'Free', pro: 'Pro', business: 'Business', enterprise: 'Enterprise' };

/** The plans whose apps may let users trust a browser (API.md: business and enterprise). */
const canRememberDevices = (plan: TwoFactorSettings['plan']) => plan === 'business' || plan === 'enterprise';

const maxRememberDeviceDays = 30;

function rememberText(days: number): string {
  return days === 0 ? 'browsers are not remembered' : `trusted browsers skip the code for ${days} day${days === 1 ? '' : 's'}`;
}

/** Why the plan cannot set `mode`, in the words of the product page. */
function whyNotAllowed(plan: TwoFactorSettings['plan'], mode: TwoFactorMode): string {
  if (mode === 'required' && plan === 'business')
    return 'Your Business plan lets users turn on two-factor authentication but cannot require it. Requiring it needs the Enterprise plan.';
  if (mode === 'required') return 'Requiring two-factor authentication needs the Enterprise plan.';
  return 'Two-factor authentication needs the Business plan (optional) or the Enterprise plan (optional or required).';
}

function loading(portal: Portal, title: string, load: (container: HTMLElement) => Promise<void>): HTMLElement {
  const errors = errorArea();
  const container = h('div', { class: 'stack', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  load(container)
    .catch((error: unknown) => {
      if (portal.handleSessionFailure(error)) return;
      container.replaceChildren(errors.element);
      errors.show(describeFailure(error));
    })
    .finally(() => container.removeAttribute('aria-busy'));
  return h('div', { class: 'stack' }, h('h1', { tabindex: -1 }, title), container);
}

/** Settings › Login & Sign Up › Two-Factor Authentication: the draft mode, the unpublished-changes banner, Publish. */
export function settingsScreen(portal: Portal): HTMLElement {
  const token = portal.requireSession().token;
  const screen = loading(portal, 'Settings', async (container) => {
    const render = (settings: TwoFactorSettings, message?: string) => {
      const errors = errorArea();
      const name = 'two-factor-mode';
      const options = (['off', 'optional', 'required'] as const).map((mode) => {
        const allowed = settings.allowedModes.includes(mode);
        const id = `mode-${mode}`;
        const input = h('input', {
          type: 'radio',
          name,
          id,
          value: mode,
          checked: settings.draft.mode === mode,
          disabled: !allowed,
          'aria-describedby': `${id}-description`,
        });
        input.addEventListener('change', () => {
          if (!input.checked) return;
          errors.clear();
          // A lower mode weakens the app: the service may first ask the admin to prove their second factor.
          withStepUp(portal, () => portal.api.updateTwoFactorSettings(token, { mode }))
            .then((updated) => {
              render(updated);
              announce(`Two-factor authentication set to ${modeText[mode].label} in the draft. Publish to apply it.`);
              container.querySelector<HTMLInputElement>(`#mode-${mode}`)?.focus();
            })
            .catch((error: unknown) => {
              if (portal.handleSessionFailure(error)) return;
              const previous = container.querySelector<HTMLInputElement>(`#mode-${settings.draft.mode}`);
              if (previous) previous.checked = true;
              if (isStepUpCancelled(error)) previous?.focus();
              else errors.show(describeFailure(error));
            });
        });
        return h(
          'div',
          { class: `radio-option${allowed ? '' : ' unavailable'}` },
          input,
          h(
            'div',
            {},
            h('label', { for: id }, modeText[mode].label, allowed ? null : h('span', { class: 'badge' }, 'Upgrade')),
            h(
              'p',
              { id: `${id}-description`, class: 'hint' },
              modeText[mode].description,
              allowed ? null : ` ${whyNotAllowed(settings.plan, mode)}`,
            ),
          ),
        );
      });
      const publish = h('button', { type: 'button', class: 'primary' }, 'Publish');
      publish.addEventListener('click', () => {
        publish.disabled = true;
        // Publishing a lower mode or longer remembering needs a recent second factor, as the draft edit did.
        withStepUp(portal, () => portal.api.publish(token))
          .then(async (published) => {
            const config = published.config.twoFactor;
            const text = `Published version ${published.version}: two-factor authentication is now ${modeText[config.mode].label} for your users${
              config.mode === 'off' && config.rememberDeviceDays === 0 ? '' : `, and ${rememberText(config.rememberDeviceDays)}`
            }.`;
            render(await portal.api.twoFactorSettings(token), text);
            announce(text);
            await portal.refreshMe();
          })
          .catch((error: unknown) => {
            publish.disabled = false;
            if (portal.handleSessionFailure(error)) return;
            if (isStepUpCancelled(error)) publish.focus();
            else errors.show(describeFailure(error));
          });
      });
      const live = settings.published;
      const liveDays = live?.rememberDeviceDays ?? 0;
      const daysMatter = liveDays > 0 || settings.draft.rememberDeviceDays > 0;
      const breadcrumb = h(
        'nav',
        { 'aria-label': 'Breadcrumb', class: 'breadcrumb' },
        h(
          'ol',
          {},
          h('li', {}, 'Settings'),
          h('li', {}, 'Login & Sign Up'),
          h('li', { 'aria-current': 'page' }, 'Two-Factor Authentication'),
        ),
      );
      const unpublished = settings.unpublishedChanges
        ? h(
            'div',
            { class: 'banner warning', role: 'status' },
            h(
              'p',
              {},
              h('strong', {}, 'Unpublished changes. '),
              `Your users still get “${modeText[live?.mode ?? 'off'].label}”${daysMatter ? `, and ${rememberText(liveDays)}` : ''}. Publish your app for the change to take effect.`,
            ),
            publish,
          )
        : null;
      const card = h(
        'section',
        { class: 'card', 'aria-labelledby': 'settings-2fa' },
        h('h2', { id: 'settings-2fa' }, 'Two-Factor Authentication'),
        h('p', {}, 'Ask users for a code from an authenticator app (Google Authenticator, Authy, …) after their password.'),
        h(
          'p',
          { class: 'muted' },
          `Plan: ${planNames[settings.plan]}. Live: ${modeText[live?.mode ?? 'off'].label}${live ? ` (version ${live.version}, published ${formatDate(live.publishedAt)})` : ' (never published)'}${
            daysMatter ? `; ${rememberText(liveDays)}` : ''
          }.`,
        ),
        h('fieldset', { class: 'radio-group' }, h('legend', {}, 'Second factor at sign-in'), ...options),
        errors.element,
        rememberDevicesSection(settings),
      );
      container.replaceChildren(
        ...present(breadcrumb, unpublished, message ? h('div', { class: 'banner info' }, h('p', {}, message)) : null, card),
      );
    };
    /**
     * "Remember devices for N days": how long a browser the user trusts at the code prompt skips the code
     * (0 turns it off). Part of the draft like the mode; Business and Enterprise plans only.
     */
    const rememberDevicesSection = (settings: TwoFactorSettings): HTMLElement => {
      const days = field({
        label: 'Remember devices for (days)',
        name: 'rememberDeviceDays',
        type: 'number',
        inputmode: 'numeric',
        hint: `0 to ${maxRememberDeviceDays}; 0 turns it off. A user who ticks “Trust this browser” at the code prompt skips the code on that browser for this many days (only while two-factor authentication is optional or required).`,
      });
      Object.assign(days.input, {
        min: '0',
        max: String(maxRememberDeviceDays),
        step: '1',
        value: String(settings.draft.rememberDeviceDays),
      });
      days.invalidMessage = `Enter a whole number of days from 0 to ${maxRememberDeviceDays}.`;
      const heading = h('h3', { id: 'settings-remember' }, 'Remember devices');
      if (!canRememberDevices(settings.plan)) {
        days.input.disabled = true;
        days.element.querySelector('label')?.append(h('span', { class: 'badge' }, 'Upgrade'));
        days.element.append(
          h(
            'p',
            { class: 'hint', id: `${days.input.id}-plan` },
            `Your ${planNames[settings.plan]} plan cannot remember devices: every sign-in of a user with two-factor authentication asks for a code. Remembering devices needs the Business or Enterprise plan.`,
          ),
        );
        days.input.setAttribute('aria-describedby', `${days.input.getAttribute('aria-describedby')} ${days.input.id}-plan`);
        return h('section', { class: 'stack remember-devices', 'aria-labelledby': 'settings-remember' }, heading, days.element);
      }
      const { form } = actionForm({
        submitLabel: 'Save',
        fields: [days],
        className: 'stack remember-form',
        submit: async () => {
          const value = Number(days.input.value);
          try {
            // Remembering browsers longer weakens the app: the service may ask for a recent second factor.
            const updated = await withStepUp(portal, () =>
              portal.api.updateTwoFactorSettings(token, { mode: settings.draft.mode, rememberDeviceDays: value }),
            );
            render(updated);
            announce(`Remember devices set to ${value} day${value === 1 ? '' : 's'} in the draft. Publish to apply it.`);
            container.querySelector<HTMLInputElement>('input[name="rememberDeviceDays"]')?.focus();
          } catch (error) {
            if (portal.handleSessionFailure(error)) return;
            if (isStepUpCancelled(error)) {
              days.input.value = String(settings.draft.rememberDeviceDays);
              days.input.focus();
              return;
            }
            throw error;
          }
        },
      });
      return h('section', { class: 'stack remember-devices', 'aria-labelledby': 'settings-remember' }, heading, form);
    };
    render(await portal.api.twoFactorSettings(token));
  });
  return screen;
}

/**
 * The users table, with the "2FA setup Complete" column once the published mode is not off. Reset 2FA
 * and Unlock are in a context menu: right-click a row, press the context-menu key or Shift+F10 on it, or
 * use the row's visible "…" button. Each asks for confirmation first, and for the admin's second factor
 * when the service wants a fresh one (step-up).
 */
export function usersScreen(portal: Portal): HTMLElement {
  const token = portal.requireSession().token;
  return loading(portal, 'Users', async (container) => {
    const users: UserSummary[] = [];
    let nextCursor: string | null = null;
    let twoFactorColumn = false;
    const rowMenu = (user: UserSummary, row: HTMLElement, at: { x: number; y: number }, returnFocus: HTMLElement) =>
      openMenu({
        label: `Actions for ${user.email}`,
        at,
        returnFocus,
        items: [
          {
            label: 'Reset 2FA',
            disabled: !user.twoFactorSetupComplete,
            hint: user.twoFactorSetupComplete ? undefined : ' (not set up)',
            onSelect: () => confirmReset(user, returnFocus),
          },
          { label: 'Unlock', onSelect: () => confirmUnlock(user, returnFocus) },
        ],
      });

    /** After a reset or unlock: the row redrawn, the news on top and announced, the focus back on the row. */
    const done = (user: UserSummary, message: string, returnFocus: HTMLElement) => {
      draw(message);
      announce(message);
      (container.querySelector<HTMLElement>(`tr[data-user-id="${user.id}"]`) ?? returnFocus).focus();
    };

    /** What a refused reset or unlock does: an ended session signs out, a closed step-up prompt changes nothing. */
    const refused = (error: unknown, modal: { close(): void }, confirm: HTMLButtonElement, errors: { show(message: string): void }) => {
      confirm.disabled = false;
      if (portal.handleSessionFailure(error)) {
        modal.close();
        return;
      }
      if (isStepUpCancelled(error)) confirm.focus();
      else errors.show(describeFailure(error));
    };

    const confirmUnlock = (user: UserSummary, returnFocus: HTMLElement) => {
      const modal = openModal({ title: `Unlock ${user.email}?`, className: 'confirm-dialog' });
      const errors = errorArea();
      const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
      cancel.addEventListener('click', () => modal.close());
      const confirm = h('button', { type: 'button', class: 'primary' }, 'Unlock');
      confirm.addEventListener('click', () => {
        confirm.disabled = true;
        withStepUp(portal, () => portal.api.unlockUser(token, user.id))
          .then((unlocked) => {
            const listed = users.find((candidate) => candidate.id === user.id);
            if (listed) Object.assign(listed, unlocked.user);
            modal.close();
            done(user, `${user.email} is unlocked: they can try their password and codes again now.`, returnFocus);
          })
          .catch((error: unknown) => refused(error, modal, confirm, errors));
      });
      modal.body.append(
        h(
          'div',
          { class: 'stack' },
          h(
            'p',
            {},
            'Too many wrong passwords or codes lock an account for a while. Unlocking ends those waits at once, so only do it when you know it was this person who was locked out (for example, they called you). Their password, authenticator app and backup codes stay as they are.',
          ),
          errors.element,
          h('div', { class: 'actions' }, confirm, cancel),
        ),
      );
    };

    const confirmReset = (user: UserSummary, returnFocus: HTMLElement) => {
      const modal = openModal({ title: `Reset 2FA for ${user.email}?`, className: 'confirm-dialog' });
      const reason = field({ label: 'Reason (optional, kept in the audit log)', name: 'reason', required: false, maxlength: 500 });
      const errors = errorArea();
      const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
      cancel.addEventListener('click', () => modal.close());
      const confirm = h('button', { type: 'button', class: 'danger' }, 'Reset 2FA');
      confirm.addEventListener('click', () => {
        confirm.disabled = true;
        // A reset strips a user's second factor: the service may first ask for the admin's own.
        withStepUp(portal, () => portal.api.resetUserTwoFactor(token, user.id, reason.input.value.trim() || undefined))
          .then((reset) => {
            const listed = users.find((candidate) => candidate.id === user.id);
            if (listed) Object.assign(listed, reset.user);
            modal.close();
            done(user, `2FA was reset for ${user.email}. They will link an authenticator app again at their next sign-in.`, returnFocus);
          })
          .catch((error: unknown) => refused(error, modal, confirm, errors));
      });
      modal.body.append(
        h(
          'div',
          { class: 'stack' },
          h(
            'p',
            {},
            'Their authenticator app and backup codes stop working, and they are signed out everywhere. They will link an authenticator app again at their next sign-in (or from the user menu).',
          ),
          reason.element,
          errors.element,
          h('div', { class: 'actions' }, confirm, cancel),
        ),
      );
    };

    const draw = (message?: string) => {
      const headers = ['Email', 'Role', 'Created', ...(twoFactorColumn ? ['2FA setup Complete'] : []), 'Actions'];
      const rows = users.map((user) => {
        const menuButton = h(
          'button',
          { type: 'button', class: 'icon-button', 'aria-haspopup': 'menu', 'aria-label': `Actions for ${user.email}` },
          icon(icons.dots),
        );
        const row = h(
          'tr',
          { tabindex: 0, 'data-user-id': user.id, 'aria-label': `${user.email}. Press Shift+F10 for actions.` },
          h('th', { scope: 'row' }, user.email),
          h('td', {}, user.role),
          h('td', {}, formatDate(user.createdAt)),
          twoFactorColumn
            ? h(
                'td',
                { class: 'two-factor-cell' },
                user.twoFactorSetupComplete ? h('span', { class: 'badge on' }, 'Yes') : h('span', { class: 'badge' }, 'No'),
              )
            : null,
          h('td', {}, menuButton),
        );
        row.addEventListener('contextmenu', (event) => {
          event.preventDefault();
          const keyboard = event.clientX === 0 && event.clientY === 0;
          const rect = row.getBoundingClientRect();
          rowMenu(user, row, keyboard ? { x: rect.left + 24, y: rect.bottom } : { x: event.clientX, y: event.clientY }, row);
        });
        row.addEventListener('keydown', (event) => {
          if (event.target !== row) return;
          if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
            event.preventDefault();
            const rect = row.getBoundingClientRect();
            rowMenu(user, row, { x: rect.left + 24, y: rect.bottom }, row);
          } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            const sibling = (event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
            sibling?.focus();
          }
        });
        menuButton.addEventListener('click', () => {
          const rect = menuButton.getBoundingClientRect();
          rowMenu(user, row, { x: rect.right - 180, y: rect.bottom + 4 }, menuButton);
        });
        return row;
      });
      const more = h('button', { type: 'button', class: 'secondary' }, 'Load more');
      more.addEventListener('click', () => void load().then(() => draw()));
      const hint = twoFactorColumn
        ? h(
            'p',
            { class: 'hint' },
            'To reset a user’s 2FA or unlock them, right-click their row, press Shift+F10 on it, or use its “…” button.',
          )
        : h(
            'p',
            { class: 'hint' },
            'The “2FA setup Complete” column appears once two-factor authentication is published as optional or required. To unlock a user, right-click their row, press Shift+F10 on it, or use its “…” button.',
          );
      const table = h(
        'table',
        { class: 'users' },
        h('caption', { class: 'visually-hidden' }, 'Users of this app'),
        h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
        h('tbody', {}, ...rows),
      );
      container.replaceChildren(
        ...present(
          message ? h('div', { class: 'banner info' }, h('p', {}, message)) : null,
          hint,
          table,
          nextCursor ? h('div', { class: 'actions' }, more) : null,
        ),
      );
    };

    const load = async () => {
      const page = await portal.api.listUsers(token, nextCursor ?? undefined);
      users.push(...page.users);
      nextCursor = page.nextCursor;
      twoFactorColumn = page.twoFactorColumn;
    };
    await load();
    draw();
  });
}
