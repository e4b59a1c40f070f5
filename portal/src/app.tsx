import { useMemo, useState } from 'preact/hooks';
import { TwoFactorApi } from './api/client.js';
import { type PortalContextValue, PortalContext, type SignedOutScreen, noticeFor } from './context.js';
import { localDeviceTokens } from './device-token.js';
import { SignIn, SignUp, EnrollmentPage } from './screens/auth.js';
import { CodePrompt } from './screens/code-prompt.js';
import { SignedIn, type SignedInProps } from './screens/shell.js';
import { Icon, icons } from './ui/icon.js';

type View = SignedOutScreen | ({ screen: 'signed-in' } & SignedInProps);

function SignedOutContent({ view }: { view: SignedOutScreen }) {
  switch (view.screen) {
    case 'sign-in':
      return <SignIn notice={view.notice} />;
    case 'sign-up':
      return <SignUp />;
    case 'code-prompt':
      return <CodePrompt challengeToken={view.challengeToken} email={view.email} rememberDeviceDays={view.rememberDeviceDays} />;
    case 'enrollment':
      return <EnrollmentPage token={view.token} email={view.email} required={view.required} />;
  }
}

/** A signed-out screen (sign in, sign up, second factor, enrollment at sign-up) in the centred card. */
function SignedOut({ appId, view }: { appId: string; view: SignedOutScreen }) {
  return (
    <main class="auth-layout">
      <div class="auth-card">
        <p class="brand">
          <Icon paths={icons.shield} />
          <span>Portal</span>
          <span class="app-badge" title="App id">
            {appId}
          </span>
        </p>
        <SignedOutContent view={view} />
      </div>
    </main>
  );
}

/**
 * The reference portal: every screen of the product page, over the service's public HTTP API only. The
 * session lives in this component's state, in memory: a reload signs out.
 */
export function App({ appId, start }: { appId: string; start: 'sign-in' | 'sign-up' }) {
  const [shown, setShown] = useState<{ view: View; count: number }>({ view: { screen: start }, count: 0 });
  const portal = useMemo<PortalContextValue>(() => {
    const api = new TwoFactorApi(appId, '', localDeviceTokens(appId));
    // Each screen shown is drawn anew, even the same one again (e.g. sign-in after sign-in).
    const show = (view: View) => setShown((current) => ({ view, count: current.count + 1 }));
    return {
      api,
      appId,
      show,
      signedIn: async (session, notice) => {
        const me = await api.me(session.token);
        show({ screen: 'signed-in', session, me, notice: noticeFor(me, notice ?? null) });
      },
    };
  }, [appId]);
  const { view, count } = shown;
  return (
    <PortalContext.Provider value={portal}>
      {view.screen === 'signed-in' ? (
        <SignedIn key={count} session={view.session} me={view.me} notice={view.notice} />
      ) : (
        <SignedOut key={count} appId={appId} view={view} />
      )}
    </PortalContext.Provider>
  );
}
