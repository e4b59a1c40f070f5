import { useRef, useState } from 'preact/hooks';
import type { TwoFactorMode, TwoFactorSettings } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ErrorArea } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { describeFailure } from '../ui/failure.js';
import { formatDate } from '../ui/format.js';
import { useFocusAfterRender } from '../ui/hooks.js';
import { PageHeading } from '../ui/page-heading.js';
import { LoadedContent } from './loading.js';
import { DraftDaysSetting } from './draft-days-setting.js';
import { GracePeriod, RequiredForRoles, enforcementParts } from './settings-enforcement.js';
import { isStepUpCancelled, useStepUp } from './step-up.js';

const modes = ['off', 'optional', 'required'] as const;

const modeText: Record<TwoFactorMode, { label: string; description: string }> = {
  off: { label: 'Off', description: 'Users sign in with their password only.' },
  optional: {
    label: 'Optional',
    description:
      'Sign-up suggests linking an authenticator app and the user menu offers it. Users who link one enter a code at every sign-in.',
  },
  required: {
    label: 'Required',
    description:
      'Every user must link an authenticator app: new users at sign-up, existing users at their next sign-in (or once the grace period below ends).',
  },
};

const planNames: Record<TwoFactorSettings['plan'], string> = { free: 'Free', pro: 'Pro', business: 'Business', enterprise: 'Enterprise' };

/** The plans whose apps may let users trust a browser (API.md: business and enterprise). */
const canRememberDevices = (plan: TwoFactorSettings['plan']) => plan === 'business' || plan === 'enterprise';

const maxRememberDeviceDays = 30;

function rememberText(days: number): string {
  return days === 0 ? 'browsers are not remembered' : `trusted browsers skip the code for ${days} day${days === 1 ? '' : 's'}`;
}

/** " (required for admins, 14 days to set it up)" after a mode's name; empty when the config adds nothing to it. */
function inParentheses(parts: string[]): string {
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** Why the plan cannot set `mode`, in the words of the product page. */
function whyNotAllowed(plan: TwoFactorSettings['plan'], mode: TwoFactorMode): string {
  if (mode === 'required' && plan === 'business')
    return 'Your Business plan lets users turn on two-factor authentication but cannot require it. Requiring it needs the Enterprise plan.';
  if (mode === 'required') return 'Requiring two-factor authentication needs the Enterprise plan.';
  return 'Two-factor authentication needs the Business plan (optional) or the Enterprise plan (optional or required).';
}

/** Settings › Login & Sign Up › Two-Factor Authentication. */
export function Settings() {
  const { api } = usePortal();
  const session = useSession();
  return (
    <div class="stack">
      <PageHeading focus>Settings</PageHeading>
      <LoadedContent load={() => api.twoFactorSettings(session.token())}>
        {(settings) => <TwoFactorSettingsForm loaded={settings} />}
      </LoadedContent>
    </div>
  );
}

/**
 * The draft mode (each choice saved at once, the service possibly asking for a step-up first), the
 * unpublished-changes banner with Publish, and how long trusted browsers skip the code.
 */
function TwoFactorSettingsForm({ loaded }: { loaded: TwoFactorSettings }) {
  const { api } = usePortal();
  const session = useSession();
  const withStepUp = useStepUp();
  const focusAfterRender = useFocusAfterRender();
  const [settings, setSettings] = useState(loaded);
  /** The mode just chosen, shown checked while the service saves it; the draft's mode again if it does not. */
  const [choosing, setChoosing] = useState<TwoFactorMode | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState('');
  const [publishing, setPublishing] = useState(false);
  const radios = useRef<Partial<Record<TwoFactorMode, HTMLInputElement | null>>>({});
  const publishButton = useRef<HTMLButtonElement>(null);

  const updated = (next: TwoFactorSettings) => {
    setSettings(next);
    setMessage(null);
    setFailure('');
  };

  const choose = (mode: TwoFactorMode) => {
    const draftMode = settings.draft.mode;
    setFailure('');
    setChoosing(mode);
    // A lower mode weakens the app: the service may first ask the admin to prove their second factor.
    withStepUp(() => api.updateTwoFactorSettings(session.token(), { mode }))
      .then((next) => {
        setChoosing(null);
        updated(next);
        announce(`Two-factor authentication set to ${modeText[mode].label} in the draft. Publish to apply it.`);
        focusAfterRender(() => radios.current[mode]);
      })
      .catch((error: unknown) => {
        setChoosing(null);
        if (session.handleSessionFailure(error)) return;
        if (isStepUpCancelled(error)) focusAfterRender(() => radios.current[draftMode]);
        else setFailure(describeFailure(error));
      });
  };

  const publish = () => {
    setPublishing(true);
    // Publishing a lower mode or longer remembering needs a recent second factor, as the draft edit did.
    withStepUp(() => api.publish(session.token()))
      .then(async (published) => {
        const config = published.config.twoFactor;
        const text = `Published version ${published.version}: two-factor authentication is now ${modeText[config.mode].label}${inParentheses(enforcementParts(config))} for your users${
          config.mode === 'off' && config.rememberDeviceDays === 0 ? '' : `, and ${rememberText(config.rememberDeviceDays)}`
        }.`;
        updated(await api.twoFactorSettings(session.token()));
        setMessage(text);
        setPublishing(false);
        announce(text);
        await session.refreshMe();
      })
      .catch((error: unknown) => {
        setPublishing(false);
        if (session.handleSessionFailure(error)) return;
        if (isStepUpCancelled(error)) focusAfterRender(() => publishButton.current);
        else setFailure(describeFailure(error));
      });
  };

  const live = settings.published;
  const liveDays = live?.rememberDeviceDays ?? 0;
  const daysMatter = liveDays > 0 || settings.draft.rememberDeviceDays > 0;
  const checkedMode = choosing ?? settings.draft.mode;
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>Settings</li>
          <li>Login &amp; Sign Up</li>
          <li aria-current="page">Two-Factor Authentication</li>
        </ol>
      </nav>
      {settings.unpublishedChanges ? (
        <div class="banner warning" role="status">
          <p>
            <strong>Unpublished changes. </strong>
            {`Your users still get “${modeText[live?.mode ?? 'off'].label}”${live ? inParentheses(enforcementParts(live)) : ''}${daysMatter ? `, and ${rememberText(liveDays)}` : ''}. Publish your app for the change to take effect.`}
          </p>
          <button ref={publishButton} type="button" class="primary" disabled={publishing} onClick={publish}>
            Publish
          </button>
        </div>
      ) : null}
      {message ? (
        <div class="banner info">
          <p>{message}</p>
        </div>
      ) : null}
      <section class="card" aria-labelledby="settings-2fa">
        <h2 id="settings-2fa">Two-Factor Authentication</h2>
        <p>Ask users for a code from an authenticator app (Google Authenticator, Authy, …) after their password.</p>
        <p class="muted">
          {`Plan: ${planNames[settings.plan]}. Live: ${modeText[live?.mode ?? 'off'].label}${
            live
              ? enforcementParts(live)
                  .map((part) => `, ${part}`)
                  .join('')
              : ''
          }${live ? ` (version ${live.version}, published ${formatDate(live.publishedAt)})` : ' (never published)'}${
            daysMatter ? `; ${rememberText(liveDays)}` : ''
          }.`}
        </p>
        <fieldset class="radio-group">
          <legend>Second factor at sign-in</legend>
          {modes.map((mode) => {
            const allowed = settings.allowedModes.includes(mode);
            const id = `mode-${mode}`;
            return (
              <div key={mode} class={`radio-option${allowed ? '' : ' unavailable'}`}>
                <input
                  ref={(input) => {
                    radios.current[mode] = input;
                  }}
                  type="radio"
                  name="two-factor-mode"
                  id={id}
                  value={mode}
                  checked={checkedMode === mode}
                  disabled={!allowed}
                  aria-describedby={`${id}-description`}
                  onChange={(event) => {
                    if (event.currentTarget.checked) choose(mode);
                  }}
                />
                <div>
                  <label for={id}>
                    {modeText[mode].label}
                    {allowed ? null : <span class="badge">Upgrade</span>}
                  </label>
                  <p id={`${id}-description`} class="hint">
                    {modeText[mode].description}
                    {allowed ? null : ` ${whyNotAllowed(settings.plan, mode)}`}
                  </p>
                </div>
              </div>
            );
          })}
        </fieldset>
        <ErrorArea message={failure} />
        <RequiredForRoles settings={settings} planName={planNames[settings.plan]} onUpdated={updated} />
        <GracePeriod settings={settings} planName={planNames[settings.plan]} onUpdated={updated} />
        <RememberDevices settings={settings} onUpdated={updated} />
      </section>
    </>
  );
}

/**
 * "Remember devices for N days": how long a browser the user trusts at the code prompt skips the code
 * (0 turns it off). Part of the draft like the mode; Business and Enterprise plans only.
 */
function RememberDevices({ settings, onUpdated }: { settings: TwoFactorSettings; onUpdated: (settings: TwoFactorSettings) => void }) {
  return (
    <DraftDaysSetting
      settings={settings}
      onUpdated={onUpdated}
      setting="rememberDeviceDays"
      heading="Remember devices"
      headingId="settings-remember"
      sectionClass="remember-devices"
      label="Remember devices for (days)"
      submitLabel="Save"
      max={maxRememberDeviceDays}
      hint={`0 to ${maxRememberDeviceDays}; 0 turns it off. A user who ticks “Trust this browser” at the code prompt skips the code on that browser for this many days (only while two-factor authentication is optional or required).`}
      allowed={canRememberDevices(settings.plan)}
      note={`Your ${planNames[settings.plan]} plan cannot remember devices: every sign-in of a user with two-factor authentication asks for a code. Remembering devices needs the Business or Enterprise plan.`}
      saved={(days) => `Remember devices set to ${days} day${days === 1 ? '' : 's'} in the draft. Publish to apply it.`}
    />
  );
}
