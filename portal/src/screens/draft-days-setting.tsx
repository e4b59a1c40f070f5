import { useRef, useState } from 'preact/hooks';
import type { TwoFactorSettings } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ActionForm } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { TextField } from '../ui/fields.js';
import { useFocusAfterRender } from '../ui/hooks.js';
import { isStepUpCancelled, useStepUp } from './step-up.js';

/** The draft settings counted in days. */
type DaysSetting = 'rememberDeviceDays' | 'requiredGraceDays';

export interface DraftDaysSettingProps {
  settings: TwoFactorSettings;
  onUpdated: (settings: TwoFactorSettings) => void;
  setting: DaysSetting;
  /** The section's heading and its id. */
  heading: string;
  headingId: string;
  sectionClass: string;
  label: string;
  submitLabel: string;
  max: number;
  hint: string;
  /** The plan allows it; otherwise the field is shown disabled with `note` and an "Upgrade" badge. */
  allowed: boolean;
  note: string;
  /** What is announced once the draft holds `days`. */
  saved: (days: number) => string;
}

/**
 * A number of days in the admin's draft (how long browsers are remembered, the grace period): a field and its
 * Save button, changing only the draft, which Publish puts in force. More days weaken the app, so the
 * service may ask for a recent second factor first; a closed step-up prompt puts the draft's value back.
 */
export function DraftDaysSetting(props: DraftDaysSettingProps) {
  const { settings, setting } = props;
  const { api } = usePortal();
  const session = useSession();
  const withStepUp = useStepUp();
  const focusAfterRender = useFocusAfterRender();
  const [days, setDays] = useState(String(settings.draft[setting]));
  const input = useRef<HTMLInputElement>(null);
  const field = (
    <TextField
      label={props.label}
      name={setting}
      type="number"
      inputMode="numeric"
      min={0}
      max={props.max}
      step={1}
      value={days}
      onValue={setDays}
      inputRef={input}
      hint={props.hint}
      invalidMessage={`Enter a whole number of days from 0 to ${props.max}.`}
      disabled={!props.allowed}
      badge={props.allowed ? undefined : 'Upgrade'}
      note={props.allowed ? undefined : props.note}
    />
  );

  const save = async () => {
    const value = Number(days);
    const draftDays = settings.draft[setting];
    try {
      const next = await withStepUp(() => api.updateTwoFactorSettings(session.token(), { mode: settings.draft.mode, [setting]: value }));
      props.onUpdated(next);
      announce(props.saved(value));
      focusAfterRender(() => input.current);
    } catch (error) {
      if (session.handleSessionFailure(error)) return;
      if (isStepUpCancelled(error)) {
        setDays(String(draftDays));
        focusAfterRender(() => input.current);
        return;
      }
      throw error;
    }
  };

  return (
    <section class={`stack ${props.sectionClass}`} aria-labelledby={props.headingId}>
      <h3 id={props.headingId}>{props.heading}</h3>
      {props.allowed ? (
        <ActionForm submitLabel={props.submitLabel} className="stack remember-form" onSubmit={save}>
          {field}
        </ActionForm>
      ) : (
        field
      )}
    </section>
  );
}
