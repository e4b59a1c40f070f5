import { useRef, useState } from 'preact/hooks';
import type { Role, TwoFactorMode, TwoFactorSettings } from '../api/client.js';
import { useSession, usePortal } from '../context.js';
import { ErrorArea } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { describeFailure } from '../ui/failure.js';
import { useFocusAfterRender, useUniqueId } from '../ui/hooks.js';
import { DraftDaysSetting } from './draft-days-setting.js';
import { isStepUpCancelled, useStepUp } from './step-up.js';

/** The roles of the contract (`User.role`), in the order the service lists them. */
const roles: readonly Role[] = ['admin', 'member'];

export const roleNames: Record<Role, string> = { admin: 'Admins', member: 'Members' };

const maxGraceDays = 90;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The roles a config requires 2FA of: every role under `required`, the chosen ones under `optional`, none under `off`. */
function requiredRolesOf(config: { mode: TwoFactorMode; requiredForRoles: readonly Role[] }): readonly Role[] {
  if (config.mode === 'required') return roles;
  return config.mode === 'optional' ? roles.filter((role) => config.requiredForRoles.includes(role)) : [];
}

/**
 * What a config adds to its mode, in words: "required for admins" under `optional`, and the grace period
 * wherever 2FA is required of someone. Empty when it adds nothing.
 */
export function enforcementParts(config: { mode: TwoFactorMode; requiredGraceDays: number; requiredForRoles: readonly Role[] }): string[] {
  const required = requiredRolesOf(config);
  const parts: string[] = [];
  if (config.mode === 'optional' && required.length > 0)
    parts.push(`required for ${required.map((role) => roleNames[role].toLowerCase()).join(' and ')}`);
  if (required.length > 0 && config.requiredGraceDays > 0) parts.push(`${plural(config.requiredGraceDays, 'day')} to set it up`);
  return parts;
}

/** Why the plan cannot set grace periods or per-role requirements. */
function whyNoEnforcement(planName: string): string {
  return `Your ${planName} plan cannot require two-factor authentication of some roles only or give users time to set it up. These need the Enterprise plan.`;
}

interface EnforcementProps {
  settings: TwoFactorSettings;
  planName: string;
  onUpdated: (settings: TwoFactorSettings) => void;
}

/**
 * "Require 2FA for": a switch per role, saved to the draft at once (turning one off may ask for a step-up).
 * They matter under `optional`: `required` requires every role, `off` none. Enterprise only.
 */
export function RequiredForRoles({ settings, planName, onUpdated }: EnforcementProps) {
  const { api } = usePortal();
  const session = useSession();
  const withStepUp = useStepUp();
  const focusAfterRender = useFocusAfterRender();
  const hintId = useUniqueId('roles-hint');
  /** The roles just chosen, shown while the service saves them; the draft's again if it does not. */
  const [choosing, setChoosing] = useState<readonly Role[] | null>(null);
  const [failure, setFailure] = useState('');
  const switches = useRef<Partial<Record<Role, HTMLInputElement | null>>>({});
  const { draft } = settings;
  const allowed = settings.enforcementOptions;
  const editable = allowed && draft.mode === 'optional';
  const checked = draft.mode === 'required' ? roles : draft.mode === 'off' ? [] : (choosing ?? draft.requiredForRoles);

  const toggle = (role: Role, on: boolean) => {
    if (choosing) return;
    const next = roles.filter((each) => (each === role ? on : draft.requiredForRoles.includes(each)));
    setFailure('');
    setChoosing(next);
    // Dropping a role weakens the app: the service may first ask the admin to prove their second factor.
    withStepUp(() => api.updateTwoFactorSettings(session.token(), { mode: draft.mode, requiredForRoles: [...next] }))
      .then((updated) => {
        setChoosing(null);
        onUpdated(updated);
        announce(
          `Two-factor authentication ${on ? 'required' : 'no longer required'} for ${roleNames[role].toLowerCase()} in the draft. Publish to apply it.`,
        );
        focusAfterRender(() => switches.current[role]);
      })
      .catch((error: unknown) => {
        setChoosing(null);
        if (session.handleSessionFailure(error)) return;
        if (isStepUpCancelled(error)) focusAfterRender(() => switches.current[role]);
        else setFailure(describeFailure(error));
      });
  };

  const hint = !allowed
    ? whyNoEnforcement(planName)
    : draft.mode === 'required'
      ? 'Required applies to every role.'
      : draft.mode === 'off'
        ? 'Choose Optional first: then 2FA can be required of some roles only.'
        : 'While 2FA is optional for everyone else, users of these roles must set it up (with the grace period below).';
  return (
    <section class="stack enforcement" aria-labelledby="settings-roles">
      <h3 id="settings-roles">Require 2FA for</h3>
      <fieldset class="switch-group" aria-labelledby="settings-roles">
        <p id={hintId} class="hint">
          {hint}
        </p>
        {roles.map((role) => {
          const id = `require-${role}`;
          return (
            <div key={role} class={`switch-option${allowed ? '' : ' unavailable'}`}>
              <input
                ref={(input) => {
                  switches.current[role] = input;
                }}
                type="checkbox"
                role="switch"
                id={id}
                name="requiredForRoles"
                value={role}
                checked={checked.includes(role)}
                disabled={!editable}
                aria-describedby={hintId}
                onChange={(event) => toggle(role, event.currentTarget.checked)}
              />
              <label for={id}>
                {roleNames[role]}
                {allowed ? null : <span class="badge">Upgrade</span>}
              </label>
            </div>
          );
        })}
      </fieldset>
      <ErrorArea message={failure} />
    </section>
  );
}

/**
 * "Grace period (days)": how long a user without 2FA keeps signing in once it is required of them (0: they
 * set it up at their next sign-in). Part of the draft; a longer one may ask for a step-up. Enterprise only.
 */
export function GracePeriod({ settings, planName, onUpdated }: EnforcementProps) {
  return (
    <DraftDaysSetting
      settings={settings}
      onUpdated={onUpdated}
      setting="requiredGraceDays"
      heading="Grace period"
      headingId="settings-grace"
      sectionClass="enforcement"
      label="Grace period (days)"
      submitLabel="Save grace period"
      max={maxGraceDays}
      hint={`0 to ${maxGraceDays}. When 2FA becomes required of a user who has not set it up (at a publish, or at sign-up later), they keep signing in for this many days, reminded by a banner and emails; after that they must link an authenticator app to sign in. 0: at their next sign-in.`}
      allowed={settings.enforcementOptions}
      note={whyNoEnforcement(planName)}
      saved={(days) => `Grace period set to ${plural(days, 'day')} in the draft. Publish to apply it.`}
    />
  );
}
