import { ApiError, type Me, TwoFactorApi } from './api/client.js';
import { localDeviceTokens } from './device-token.js';
import { announce, focusFirst, h, icon, icons, openMenu } from './ui/dom.js';

/** The signed-in user's session. Kept in memory only: a reload signs out, and no script can read it from storage. */
export interface Session {
  token: string;
  email: string;
}

export type Page = 'home' | 'settings' | 'users';

/** A message shown on top of the next page, e.g. after signing in with a backup code. */
export interface Notice {
  kind: 'info' | 'warning';
  text: string;
  action?: { label: string; run: () => void };
}

/** Below this many unused backup codes the portal asks the user to generate new ones. */
export const lowBackupCodes = 3;

/** The app a portal serves: `?app=<id>` or the local stack's demo app. */
export function appIdFromLocation(location: Location): string {
  const requested = new URLSearchParams(location.search).get('app');
  return requested && /^[A-Za-z0-9_-]{1,64}$/.test(requested) ? requested : 'demo';
}

/** The portal's state and its page frame; the screens render into it. */
export class Portal {
  readonly api: TwoFactorApi;
  session: Session | null = null;
  me: Me | null = null;
  page: Page = 'home';
  /** A message for the next signed-out screen, e.g. after signing out everywhere. */
  signedOutNotice: string | null = null;
  private notice: Notice | null = null;
  private readonly screens = new Map<string, (portal: Portal) => HTMLElement>();

  constructor(
    readonly root: HTMLElement,
    readonly appId: string,
  ) {
    this.api = new TwoFactorApi(appId, '', localDeviceTokens(appId));
  }

  /** The session of a signed-in screen or dialog: the portal draws those only while there is one. */
  requireSession(): Session {
    if (!this.session) throw new Error('Not signed in');
    return this.session;
  }

  /** The signed-in user, for the screens and dialogs drawn only once it is known. */
  requireMe(): Me {
    if (!this.me) throw new Error('Not signed in');
    return this.me;
  }

  register(name: string, render: (portal: Portal) => HTMLElement): void {
    this.screens.set(name, render);
  }

  /** A signed-out screen (sign in, sign up, second factor, enrollment at sign-up) in the centred card. */
  showSignedOut(content: HTMLElement): void {
    this.session = null;
    this.me = null;
    // Signed out from inside a dialog or menu (an ended session, "Sign out everywhere"): none of them stays.
    document.querySelectorAll('body > .backdrop, body > .menu').forEach((layer) => layer.remove());
    this.root.inert = false;
    const main = h(
      'main',
      { class: 'auth-layout' },
      h(
        'div',
        { class: 'auth-card' },
        h(
          'p',
          { class: 'brand' },
          icon(icons.shield),
          h('span', {}, 'Portal'),
          h('span', { class: 'app-badge', title: 'App id' }, this.appId),
        ),
        content,
      ),
    );
    this.root.replaceChildren(main);
    document.title = `${content.querySelector('h1')?.textContent ?? 'Sign in'} · Portal`;
    focusFirst(content);
  }

  /** Starts a signed-in session and shows its home page, with `notice` on top. */
  async signedIn(session: Session, notice?: Notice): Promise<void> {
    this.session = session;
    this.notice = notice ?? null;
    this.page = 'home';
    await this.refreshMe();
    this.render();
  }

  async refreshMe(): Promise<void> {
    if (!this.session) return;
    this.me = await this.api.me(this.session.token);
    const remaining = this.me.twoFactor.backupCodesRemaining;
    if (!this.notice && remaining !== null && remaining <= lowBackupCodes) this.notice = lowCodesNotice(this, remaining);
  }

  setNotice(notice: Notice | null): void {
    this.notice = notice;
  }

  navigate(page: Page): void {
    this.page = page;
    this.notice = null;
    this.render();
  }

  /**
   * Redraws the signed-in frame around the current page and focuses its heading, or the user menu's
   * button when the redraw follows a change made from that menu (so the keyboard stays where it was).
   */
  render(options: { focus: 'heading' | 'user-menu' } = { focus: 'heading' }): void {
    const session = this.session;
    const me = this.me;
    if (!session || !me) return;
    const isAdmin = me.user.role === 'admin';
    const pages: { page: Page; label: string; icon: string }[] = [
      { page: 'home', label: 'Home', icon: icons.home },
      ...(isAdmin
        ? [
            { page: 'settings' as const, label: 'Settings', icon: icons.settings },
            { page: 'users' as const, label: 'Users', icon: icons.users },
          ]
        : []),
    ];
    const nav = h(
      'ul',
      { class: 'nav' },
      ...pages.map((item) => {
        const button = h(
          'button',
          { type: 'button', class: 'nav-item', 'aria-current': this.page === item.page ? 'page' : null },
          icon(item.icon),
          item.label,
        );
        button.addEventListener('click', () => this.navigate(item.page));
        return h('li', {}, button);
      }),
    );
    const userButton = h(
      'button',
      { type: 'button', class: 'user-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false' },
      h('span', { class: 'avatar' }, icon(icons.user)),
      h('span', { class: 'visually-hidden' }, 'User menu: '),
      h('span', { class: 'user-email' }, me.user.email),
    );
    const openUserMenu = () => {
      userButton.setAttribute('aria-expanded', 'true');
      openMenu({
        label: 'User menu',
        at: { above: userButton },
        returnFocus: userButton,
        onClose: () => userButton.setAttribute('aria-expanded', 'false'),
        items: [
          { label: 'Two-factor authentication', onSelect: () => this.openTwoFactor() },
          { label: 'Sign out', onSelect: () => void this.signOut() },
        ],
      });
    };
    userButton.addEventListener('click', openUserMenu);
    userButton.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
        event.preventDefault();
        openUserMenu();
      }
    });
    const sidebar = h(
      'nav',
      { class: 'sidebar', 'aria-label': 'Portal' },
      h('p', { class: 'brand' }, icon(icons.shield), h('span', {}, me.app.name)),
      nav,
      h('div', { class: 'sidebar-bottom' }, userButton),
    );
    const render = this.screens.get(this.page);
    const content = render ? render(this) : h('p', {}, 'Not found');
    const main = h('main', { id: 'main', class: 'content' }, this.noticeBanner(), requiredModeBanner(this), content);
    this.root.replaceChildren(h('div', { class: 'shell' }, sidebar, main));
    document.title = `${content.querySelector('h1')?.textContent ?? 'Portal'} · ${me.app.name}`;
    if (options.focus === 'user-menu') userButton.focus();
    else main.querySelector<HTMLElement>('h1')?.focus();
  }

  private noticeBanner(): HTMLElement | null {
    const notice = this.notice;
    if (!notice) return null;
    const banner = h(
      'div',
      { class: `banner ${notice.kind}`, role: notice.kind === 'warning' ? 'alert' : 'status' },
      h('p', {}, notice.text),
    );
    if (notice.action) {
      const button = h('button', { type: 'button', class: 'secondary' }, notice.action.label);
      button.addEventListener('click', notice.action.run);
      banner.append(button);
    }
    return banner;
  }

  openTwoFactor(): void {
    const open = this.screens.get('two-factor-modal');
    if (open) open(this);
  }

  async signOut(message = 'You have signed out.'): Promise<void> {
    const token = this.session?.token;
    if (token) await this.api.logOut(token).catch(() => undefined);
    this.showScreen('sign-in');
    announce(message);
  }

  /** After "Sign out everywhere": this session is over already, and so is every other one. */
  signedOutEverywhere(): void {
    const message = 'You signed out everywhere: every session of your account has ended and every browser has been forgotten.';
    this.signedOutNotice = message;
    this.showScreen('sign-in');
    announce(message);
  }

  showScreen(name: string): void {
    const render = this.screens.get(name);
    if (!render) throw new Error(`no screen ${name}`);
    this.showSignedOut(render(this));
  }

  /**
   * What every signed-in screen does with a refusal: an ended session returns to sign-in; under a
   * required mode, a user without 2FA is sent to set it up; anything else is for the caller to show.
   */
  handleSessionFailure(error: unknown): boolean {
    if (!(error instanceof ApiError)) return false;
    if (error.code === 'unauthorized') {
      void this.signOut('Your session has ended. Sign in again.');
      return true;
    }
    if (error.code === 'two_factor_required' && this.me && !this.me.twoFactor.enabled) {
      this.openTwoFactor();
      return true;
    }
    return false;
  }
}

export function lowCodesNotice(portal: Portal, remaining: number): Notice {
  return {
    kind: 'warning',
    text:
      remaining === 0
        ? 'You have no backup codes left. Generate new ones now, so you can still sign in if you lose your phone.'
        : `You have only ${remaining} backup code${remaining === 1 ? '' : 's'} left. Generate new ones so you don’t run out.`,
    action: { label: 'Generate new backup codes', run: () => portal.openTwoFactor() },
  };
}

/** Under a published `required` mode, a session of a user without 2FA may only set it up. */
function requiredModeBanner(portal: Portal): HTMLElement | null {
  const me = portal.me;
  if (!me || me.app.twoFactorMode !== 'required' || me.twoFactor.enabled) return null;
  const button = h('button', { type: 'button', class: 'primary' }, 'Set up two-factor authentication');
  button.addEventListener('click', () => portal.openTwoFactor());
  return h(
    'div',
    { class: 'banner warning', role: 'alert' },
    h('p', {}, `${me.app.name} requires two-factor authentication. Link an authenticator app to keep using it.`),
    button,
  );
}
