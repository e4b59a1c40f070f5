import { useRef, useState } from 'preact/hooks';
import { ApiError, type Me } from '../api/client.js';
import { type Notice, type Page, type Session, type SessionContextValue, SessionContext, noticeFor, usePortal } from '../context.js';
import { announce } from '../ui/announce.js';
import { daysLeft, formatDate } from '../ui/format.js';
import { useFocusAfterRender } from '../ui/hooks.js';
import { Icon, icons } from '../ui/icon.js';
import { Menu } from '../ui/menu.js';
import { TitleSuffix } from '../ui/page-heading.js';
import { Home } from './home.js';
import { TwoFactorReport } from './report.js';
import { Settings } from './settings.js';
import { StepUpProvider } from './step-up.js';
import { TwoFactorModal } from './two-factor-modal.js';
import { Users } from './users.js';

function NoticeBanner({ notice, onNewBackupCodes }: { notice: Notice; onNewBackupCodes: () => void }) {
  return (
    <div class={`banner ${notice.kind}`} role={notice.kind === 'warning' ? 'alert' : 'status'}>
      <p>{notice.text}</p>
      {notice.offerNewBackupCodes ? (
        <button type="button" class="secondary" onClick={onNewBackupCodes}>
          Generate new backup codes
        </button>
      ) : null}
    </div>
  );
}

/**
 * Where 2FA is required of the user (the app's mode, or their role) and their grace period is over (or there
 * is none), a session of a user without 2FA may only set it up.
 */
function RequiredModeBanner({ me, onSetUp }: { me: Me; onSetUp: () => void }) {
  if (!me.twoFactor.required || me.twoFactor.enabled || me.twoFactor.enrollBy) return null;
  return (
    <div class="banner warning" role="alert">
      <p>{`${me.app.name} requires two-factor authentication. Link an authenticator app to keep using it.`}</p>
      <button type="button" class="primary" onClick={onSetUp}>
        Set up two-factor authentication
      </button>
    </div>
  );
}

/**
 * While a grace period runs for a user without 2FA it is required for (`me.twoFactor.enrollBy`): the days
 * left until the deadline, and "Set up now", which opens the setup in the two-factor dialog.
 */
function GraceBanner({ me, onSetUp }: { me: Me; onSetUp: () => void }) {
  const enrollBy = me.twoFactor.enrollBy;
  if (!enrollBy || me.twoFactor.enabled) return null;
  const left = daysLeft(enrollBy, Date.now());
  return (
    <div class="banner warning grace" role="status" aria-labelledby="grace-title">
      <p>
        <strong id="grace-title">
          {left > 0
            ? `${left} day${left === 1 ? '' : 's'} left to set up two-factor authentication. `
            : 'Set up two-factor authentication now. '}
        </strong>
        {`${me.app.name} requires it for your account. Link an authenticator app before ${formatDate(enrollBy)}: after that, you will have to link one when you sign in, before you can use ${me.app.name}.`}
      </p>
      <button type="button" class="primary" onClick={onSetUp}>
        Set up now
      </button>
    </div>
  );
}

function PageContent({ page }: { page: Page }) {
  switch (page) {
    case 'home':
      return <Home />;
    case 'settings':
      return <Settings />;
    case 'users':
      return <Users />;
    case 'report':
      return <TwoFactorReport />;
  }
}

export interface SignedInProps {
  session: Session;
  me: Me;
  notice: Notice | null;
}

/**
 * The signed-in portal: the sidebar (pages, and the user menu at the bottom left), the notices, the
 * current page, and the two-factor authentication dialog. Every page that opens gets the focus on its
 * heading; after a change made in the dialog, the focus goes back to the user menu.
 */
export function SignedIn(props: SignedInProps) {
  const portal = usePortal();
  const session = useRef(props.session);
  const [me, setMe] = useState(props.me);
  const latestMe = useRef(me);
  latestMe.current = me;
  const [notice, setNotice] = useState(props.notice);
  // Each visit draws its page anew (and focuses its heading), even the page already shown.
  const [visit, setVisit] = useState<{ page: Page; count: number }>({ page: 'home', count: 0 });
  /** The user menu's button while the menu is open (it opens above it, and gives the focus back to it). */
  const [userMenuAnchor, setUserMenuAnchor] = useState<HTMLElement | null>(null);
  /** The two-factor dialog, opened on its overview or straight on its setup ("Set up now"). */
  const [twoFactorOpen, setTwoFactorOpen] = useState<false | 'overview' | 'setup'>(false);
  const userButton = useRef<HTMLButtonElement>(null);
  const focusAfterRender = useFocusAfterRender();

  const openTwoFactor = () => setTwoFactorOpen('overview');
  const signOut = async (message = 'You have signed out.') => {
    await portal.api.logOut(session.current.token).catch(() => undefined);
    portal.show({ screen: 'sign-in' });
    announce(message);
  };
  const context: SessionContextValue = {
    me,
    token: () => session.current.token,
    replaceToken: (token) => {
      session.current = { ...session.current, token };
    },
    refreshMe: async () => {
      const fresh = await portal.api.me(session.current.token);
      setMe(fresh);
      setNotice((current) => noticeFor(fresh, current));
    },
    setNotice,
    openTwoFactor,
    signOut,
    signedOutEverywhere: () => {
      const message = 'You signed out everywhere: every session of your account has ended and every browser has been forgotten.';
      portal.show({ screen: 'sign-in', notice: message });
      announce(message);
    },
    handleSessionFailure: (error) => {
      if (!(error instanceof ApiError)) return false;
      if (error.code === 'unauthorized') {
        void signOut('Your session has ended. Sign in again.');
        return true;
      }
      if (error.code === 'two_factor_required' && !latestMe.current.twoFactor.enabled) {
        openTwoFactor();
        return true;
      }
      return false;
    },
  };

  const navigate = (page: Page) => {
    setVisit((current) => ({ page, count: current.count + 1 }));
    setNotice(null);
  };
  const pages: { page: Page; label: string; icon: string }[] = [
    { page: 'home', label: 'Home', icon: icons.home },
    ...(me.user.role === 'admin'
      ? [
          { page: 'settings' as const, label: 'Settings', icon: icons.settings },
          { page: 'users' as const, label: 'Users', icon: icons.users },
          { page: 'report' as const, label: '2FA report', icon: icons.report },
        ]
      : []),
  ];

  return (
    <SessionContext.Provider value={context}>
      <TitleSuffix.Provider value={me.app.name}>
        <StepUpProvider>
          <div class="shell">
            <nav class="sidebar" aria-label="Portal">
              <p class="brand">
                <Icon paths={icons.shield} />
                <span>{me.app.name}</span>
              </p>
              <ul class="nav">
                {pages.map((item) => (
                  <li key={item.page}>
                    <button
                      type="button"
                      class="nav-item"
                      aria-current={visit.page === item.page ? 'page' : undefined}
                      onClick={() => navigate(item.page)}
                    >
                      <Icon paths={item.icon} />
                      {item.label}
                    </button>
                  </li>
                ))}
              </ul>
              <div class="sidebar-bottom">
                <button
                  ref={userButton}
                  type="button"
                  class="user-button"
                  aria-haspopup="menu"
                  aria-expanded={userMenuAnchor ? 'true' : 'false'}
                  onClick={(event) => setUserMenuAnchor(event.currentTarget)}
                  onKeyDown={(event) => {
                    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
                      event.preventDefault();
                      setUserMenuAnchor(event.currentTarget);
                    }
                  }}
                >
                  <span class="avatar">
                    <Icon paths={icons.user} />
                  </span>
                  <span class="visually-hidden">User menu: </span>
                  <span class="user-email">{me.user.email}</span>
                </button>
              </div>
            </nav>
            <main id="main" class="content">
              {notice ? <NoticeBanner notice={notice} onNewBackupCodes={openTwoFactor} /> : null}
              <RequiredModeBanner me={me} onSetUp={openTwoFactor} />
              <GraceBanner me={me} onSetUp={() => setTwoFactorOpen('setup')} />
              <PageContent key={visit.count} page={visit.page} />
            </main>
          </div>
          {userMenuAnchor ? (
            <Menu
              label="User menu"
              at={{ above: userMenuAnchor }}
              returnFocus={userMenuAnchor}
              onClose={() => setUserMenuAnchor(null)}
              items={[
                { label: 'Two-factor authentication', onSelect: openTwoFactor },
                { label: 'Sign out', onSelect: () => void signOut() },
              ]}
            />
          ) : null}
          {twoFactorOpen ? (
            <TwoFactorModal
              start={twoFactorOpen}
              onClose={(changed) => {
                setTwoFactorOpen(false);
                // The page shows the change now: the keyboard goes back where such changes start.
                if (changed) focusAfterRender(() => userButton.current);
              }}
            />
          ) : null}
        </StepUpProvider>
      </TitleSuffix.Provider>
    </SessionContext.Provider>
  );
}
