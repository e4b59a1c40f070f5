import { Fragment } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { BackupCodes } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ActionForm } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { TotpField } from '../ui/fields.js';
import { formatDate } from '../ui/format.js';
import { useFocusOnMount } from '../ui/hooks.js';
import { Modal } from '../ui/modal.js';
import { BackupCodesPanel } from './backup-codes.js';
import { Devices, SignOutEverywhere } from './devices.js';
import { EnrollmentWizard } from './enrollment.js';

/** " since <date>" after "On": the service sends when 2FA was turned on whenever it is on. */
export function onSince(enabledAt: string | null): string {
  return enabledAt ? ` since ${formatDate(enabledAt)}` : '';
}

type CodeAction = 'regenerate' | 'disable';

type View =
  | { view: 'overview'; fromDevices?: boolean }
  | { view: 'setup' }
  | { view: 'prove'; action: CodeAction }
  | { view: 'new-codes'; codes: BackupCodes }
  | { view: 'devices' }
  | { view: 'sign-out-everywhere' };

/** The way to the devices list, at the bottom of every overview. */
function DevicesSection({ onOpen, focus = false }: { onOpen: () => void; focus?: boolean }) {
  const button = useFocusOnMount<HTMLButtonElement>(focus);
  return (
    <div class="stack">
      <h3>Your devices</h3>
      <p>The browsers signed in to your account, and the ones you trusted to skip the code. Forget one, or sign out everywhere.</p>
      <div class="actions">
        <button ref={button} type="button" class="secondary" onClick={onOpen}>
          Manage devices
        </button>
      </div>
    </div>
  );
}

/** 2FA is off and the app offers it: what it is, what is needed, and Start setup. */
function Guidance({ onStart, onDevices }: { onStart: () => void; onDevices: () => void }) {
  const start = useFocusOnMount<HTMLButtonElement>();
  return (
    <div class="stack guidance">
      <p>
        Two-factor authentication protects your account with something you have as well as something you know: after your password, you
        enter a 6-digit code from an authenticator app on your phone.
      </p>
      <h3>What you need</h3>
      <p>An authenticator app such as Google Authenticator, Authy, Microsoft Authenticator or 1Password.</p>
      <h3>How it works</h3>
      <ol class="steps">
        <li>
          <strong>Link authenticator app: </strong>scan a QR code, or type a key, in your app.
        </li>
        <li>
          <strong>Confirm linking: </strong>enter the code the app shows.
        </li>
        <li>
          <strong>Download backup codes: </strong>keep them safe; each signs you in once if you lose your phone.
        </li>
      </ol>
      <div class="actions">
        <button ref={start} type="button" class="primary" onClick={onStart}>
          Start setup
        </button>
      </div>
      <DevicesSection onOpen={onDevices} />
    </div>
  );
}

/** 2FA is on: new backup codes, and turning it off unless the app requires it (of everyone, or of the user's role). */
function Manage({ onProve, onDevices }: { onProve: (action: CodeAction) => void; onDevices: () => void }) {
  const { me } = useSession();
  const regenerate = useFocusOnMount<HTMLButtonElement>();
  const remaining = me.twoFactor.backupCodesRemaining ?? 0;
  return (
    <div class="stack">
      <p class="status-line">
        <span class="badge on">On</span>
        {onSince(me.twoFactor.enabledAt)}
      </p>
      <h3>Backup codes</h3>
      <p>{`${remaining} unused backup code${remaining === 1 ? '' : 's'} left. Generating a new set makes the old codes stop working.`}</p>
      <div class="actions">
        <button ref={regenerate} type="button" class="secondary" onClick={() => onProve('regenerate')}>
          Generate new backup codes
        </button>
      </div>
      <h3>Turn off</h3>
      {me.twoFactor.required ? (
        <p class="muted">{`${me.app.name} requires two-factor authentication, so it cannot be turned off.`}</p>
      ) : (
        <div class="stack">
          <p>Your sign-in will ask for your password only.</p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => onProve('disable')}>
              Turn off two-factor authentication
            </button>
          </div>
        </div>
      )}
      <DevicesSection onOpen={onDevices} />
    </div>
  );
}

/** The code that confirms new backup codes or turning 2FA off. */
function ProveWithCode({ action, onCancel, onRun }: { action: CodeAction; onCancel: () => void; onRun: (code: string) => Promise<void> }) {
  const [code, setCode] = useState('');
  return (
    <div class="stack">
      <h3 tabIndex={-1}>{action === 'regenerate' ? 'Generate new backup codes' : 'Turn off two-factor authentication'}</h3>
      <p>To confirm it is you, enter the code your authenticator app shows now.</p>
      <ActionForm
        submitLabel={action === 'regenerate' ? 'Generate new codes' : 'Turn off'}
        onSubmit={() => onRun(code.trim())}
        extra={
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        }
      >
        <TotpField value={code} onValue={setCode} autoFocus />
      </ActionForm>
    </div>
  );
}

function NewCodesHeading() {
  const ref = useFocusOnMount<HTMLHeadingElement>();
  return (
    <h3 ref={ref} tabIndex={-1}>
      Your new backup codes
    </h3>
  );
}

/**
 * The user menu's "Two-factor authentication" dialog: guidance and setup (link → confirm → codes) when
 * off; new backup codes and turning it off (unless the app requires it) when on; and, either way, the
 * user's devices (forget one, or sign out everywhere). `start`: 'setup' opens straight on linking (the grace
 * banner's "Set up now", for a user without 2FA). `onClose` says whether anything changed.
 */
export function TwoFactorModal({ start = 'overview', onClose }: { start?: 'overview' | 'setup'; onClose: (changed: boolean) => void }) {
  const { api } = usePortal();
  const session = useSession();
  const [view, setView] = useState<View>({ view: start === 'setup' && !session.me.twoFactor.enabled ? 'setup' : 'overview' });
  // Every change refreshes `me` before the dialog closes, so the page is up to date when it shows again.
  const changed = useRef(false);
  const close = () => onClose(changed.current);
  const overview = () => setView({ view: 'overview' });
  const backFromDevices = () => setView({ view: 'overview', fromDevices: true });
  const devices = () => setView({ view: 'devices' });

  const run = (action: CodeAction) => async (code: string) => {
    try {
      if (action === 'regenerate') {
        const codes = await api.regenerateBackupCodes(session.token(), code);
        changed.current = true;
        // The new codes are shown whatever happens to this refresh: the old ones no longer work.
        await session.refreshMe().catch(() => undefined);
        session.setNotice(null);
        setView({ view: 'new-codes', codes });
        announce('New backup codes generated. The old ones no longer work.');
      } else {
        await api.disableTwoFactor(session.token(), code);
        changed.current = true;
        await session.refreshMe().catch(() => undefined);
        session.setNotice({ kind: 'info', text: 'Two-factor authentication is off.' });
        close();
      }
    } catch (error) {
      if (session.handleSessionFailure(error)) {
        close();
        return;
      }
      throw error;
    }
  };

  const content = (() => {
    switch (view.view) {
      case 'overview': {
        const { me } = session;
        if (me.twoFactor.enabled) return <Manage onProve={(action) => setView({ view: 'prove', action })} onDevices={devices} />;
        if (me.app.twoFactorMode === 'off')
          return (
            <div class="stack">
              <p>{`${me.app.name} has not turned on two-factor authentication. Once its admin does, you can set it up here.`}</p>
              <DevicesSection onOpen={devices} focus={view.fromDevices} />
            </div>
          );
        return <Guidance onStart={() => setView({ view: 'setup' })} onDevices={devices} />;
      }
      case 'setup':
        return (
          <EnrollmentWizard
            token={session.token()}
            heading="h3"
            onComplete={() => {
              changed.current = true;
              void session
                .refreshMe()
                .catch(() => undefined)
                .then(() => {
                  session.setNotice({
                    kind: 'info',
                    text: 'Two-factor authentication is on: you will enter a code from your authenticator app when you sign in.',
                  });
                  close();
                });
            }}
          />
        );
      case 'prove':
        return <ProveWithCode action={view.action} onCancel={overview} onRun={run(view.action)} />;
      case 'new-codes':
        return (
          <BackupCodesPanel
            heading={<NewCodesHeading />}
            codes={view.codes.backupCodes}
            file={view.codes.backupCodesFile}
            doneLabel="Done"
            onDone={close}
          />
        );
      case 'devices':
        return (
          <Devices onBack={backFromDevices} onSignOutEverywhere={() => setView({ view: 'sign-out-everywhere' })} onSessionEnded={close} />
        );
      case 'sign-out-everywhere':
        return <SignOutEverywhere onCancel={devices} onSessionEnded={close} />;
    }
  })();

  return (
    <Modal title="Two-factor authentication" className="two-factor-dialog" onClose={close}>
      <Fragment key={view.view}>{content}</Fragment>
    </Modal>
  );
}
