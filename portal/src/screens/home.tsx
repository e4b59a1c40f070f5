import { useSession } from '../context.js';
import { formatDate } from '../ui/format.js';
import { Icon, icons } from '../ui/icon.js';
import { PageHeading } from '../ui/page-heading.js';
import { onSince } from './two-factor-modal.js';

/** The signed-in home page: who you are and where your two-factor authentication stands. */
export function Home() {
  const { me, openTwoFactor } = useSession();
  const twoFactor = me.twoFactor;
  const offered = me.app.twoFactorMode !== 'off' || twoFactor.enabled;
  const status = twoFactor.enabled
    ? `On${onSince(twoFactor.enabledAt)}. Backup codes left: ${twoFactor.backupCodesRemaining ?? 0}.`
    : me.app.twoFactorMode === 'off'
      ? 'This app does not offer two-factor authentication yet.'
      : twoFactor.enrollBy
        ? `Off. ${me.app.name} requires it of you: set it up before ${formatDate(twoFactor.enrollBy)}.`
        : 'Off. Add a code from an authenticator app to your sign-in, so a stolen password is not enough.';
  return (
    <div class="stack">
      <PageHeading focus>{`Welcome, ${me.user.email}`}</PageHeading>
      <p class="muted">{`You are signed in to ${me.app.name}${me.user.role === 'admin' ? ' as an admin' : ''}.`}</p>
      <section class="card" aria-labelledby="home-2fa">
        <h2 id="home-2fa">
          <Icon paths={icons.shield} />
          Two-factor authentication
        </h2>
        <p>{status}</p>
        {offered ? (
          <div class="actions">
            <button type="button" class={twoFactor.enabled ? 'secondary' : 'primary'} onClick={openTwoFactor}>
              {twoFactor.enabled ? 'Manage two-factor authentication' : 'Turn on two-factor authentication'}
            </button>
          </div>
        ) : null}
        <p class="hint">You can also reach this from the user menu at the bottom left.</p>
      </section>
    </div>
  );
}
