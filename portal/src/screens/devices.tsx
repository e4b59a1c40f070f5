import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeviceSummary } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ErrorArea } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { describeFailure } from '../ui/failure.js';
import { formatDate } from '../ui/format.js';
import { useFocusAfterRender, useFocusOnMount } from '../ui/hooks.js';

type Listing =
  { state: 'loading' } | { state: 'failed'; message: string } | { state: 'listed'; devices: DeviceSummary[]; status: string | null };

const deviceName = (device: DeviceSummary) => (device.current ? 'This browser' : 'Another browser');

export interface DevicesProps {
  onBack: () => void;
  onSignOutEverywhere: () => void;
  /** The session has ended (the portal is signing out): the dialog closes. */
  onSessionEnded: () => void;
}

/**
 * Every browser of the user (GET /2fa/devices): when it first signed in and was last used, "This browser"
 * for the one this session belongs to, until when a trusted one skips the code; Forget for each, and the
 * way to Sign out everywhere. The heading stays put, and keeps the focus, while the list loads and redraws.
 */
export function Devices({ onBack, onSignOutEverywhere, onSessionEnded }: DevicesProps) {
  const { api } = usePortal();
  const session = useSession();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const focusAfterRender = useFocusAfterRender();
  const [listing, setListing] = useState<Listing>({ state: 'loading' });
  const [failure, setFailure] = useState('');
  const [forgetting, setForgetting] = useState<string | null>(null);
  const mounted = useRef(true);

  const load = (status: string | null) => {
    setListing({ state: 'loading' });
    api
      .listDevices(session.token())
      .then(({ devices }) => {
        if (mounted.current) setListing({ state: 'listed', devices, status });
      })
      .catch((error: unknown) => {
        if (session.handleSessionFailure(error)) onSessionEnded();
        else if (mounted.current) setListing({ state: 'failed', message: describeFailure(error) });
      });
  };

  useEffect(() => {
    load(null);
    return () => {
      mounted.current = false;
    };
  }, []);

  const forget = (device: DeviceSummary) => {
    setForgetting(device.id);
    setFailure('');
    api
      .forgetDevice(session.token(), device)
      .then(() => {
        const text = device.current
          ? 'This browser is forgotten: you stay signed in for now, and your next sign-in here counts as a new browser.'
          : 'That browser is forgotten: its next sign-in counts as a new browser. A session still open there goes on until it ends; sign out everywhere to end it now.';
        announce(text);
        setForgetting(null);
        load(text);
        // Its Forget button is gone with it: the focus goes back to the heading.
        focusAfterRender(() => heading.current);
      })
      .catch((error: unknown) => {
        setForgetting(null);
        if (session.handleSessionFailure(error)) onSessionEnded();
        else setFailure(describeFailure(error));
      });
  };

  const back = (
    <button type="button" class="secondary" onClick={onBack}>
      Back
    </button>
  );
  const view = (() => {
    switch (listing.state) {
      case 'loading':
        return (
          <div class="stack" aria-busy="true">
            <p class="muted">Loading…</p>
          </div>
        );
      case 'failed':
        return (
          <div class="stack">
            <ErrorArea message={listing.message} />
            <div class="actions">{back}</div>
          </div>
        );
      case 'listed':
        return (
          <div class="stack">
            <p>
              Each browser that has signed in to your account. A forgotten browser counts as new at its next sign-in: a trusted one has to
              enter a code again.
            </p>
            {listing.status ? (
              <div class="banner info">
                <p>{listing.status}</p>
              </div>
            ) : null}
            {listing.devices.length > 0 ? (
              <ul class="devices" aria-label="Devices">
                {listing.devices.map((device) => (
                  <li key={device.id} class="device">
                    <div class="device-text">
                      <p class="device-name">
                        <strong>{deviceName(device)}</strong>
                        {device.rememberedUntil ? (
                          <span class="badge on">{`Remembered until ${formatDate(device.rememberedUntil)}`}</span>
                        ) : null}
                      </p>
                      <p class="hint">{`First signed in ${formatDate(device.createdAt)} · Last used ${formatDate(device.lastUsedAt)}`}</p>
                    </div>
                    <button
                      type="button"
                      class="secondary"
                      disabled={forgetting === device.id}
                      aria-label={`Forget ${deviceName(device).toLowerCase()}, first signed in ${formatDate(device.createdAt)}${device.rememberedUntil ? `, remembered until ${formatDate(device.rememberedUntil)}` : ''}`}
                      onClick={() => forget(device)}
                    >
                      Forget
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No browser is known for your account any more.</p>
            )}
            <ErrorArea message={failure} />
            <h3>Sign out everywhere</h3>
            <p>Ends every session of your account, this one included, and forgets every browser.</p>
            <div class="actions">
              <button type="button" class="danger" onClick={onSignOutEverywhere}>
                Sign out everywhere
              </button>
              {back}
            </div>
          </div>
        );
    }
  })();

  return (
    <div class="stack">
      <h3 ref={heading} tabIndex={-1}>
        Your devices
      </h3>
      {view}
    </div>
  );
}

/** "Sign out everywhere?": every session ends, this one too, and every browser is forgotten. */
export function SignOutEverywhere({ onCancel, onSessionEnded }: { onCancel: () => void; onSessionEnded: () => void }) {
  const { api } = usePortal();
  const session = useSession();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const confirm = () => {
    setBusy(true);
    api
      .logOutEverywhere(session.token())
      .then(() => session.signedOutEverywhere())
      .catch((error: unknown) => {
        setBusy(false);
        if (session.handleSessionFailure(error)) onSessionEnded();
        else setFailure(describeFailure(error));
      });
  };
  return (
    <div class="stack">
      <h3 ref={heading} tabIndex={-1}>
        Sign out everywhere?
      </h3>
      <p>
        Every session of your account ends, including this one, and every browser is forgotten: each one, this one too, needs your password
        again, and your code if you use two-factor authentication.
      </p>
      <ErrorArea message={failure} />
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          Sign out everywhere
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
