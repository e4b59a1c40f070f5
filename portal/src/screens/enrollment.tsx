import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type EnrollmentConfirmed, type EnrollmentStarted } from '../api/client.js';
import { usePortal } from '../context.js';
import { ActionForm, ErrorArea } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { describeFailure } from '../ui/failure.js';
import { TotpField } from '../ui/fields.js';
import { useFocusAfterRender, useUniqueId } from '../ui/hooks.js';
import { Icon, icons } from '../ui/icon.js';
import { BackupCodesPanel } from './backup-codes.js';

type HeadingLevel = 'h2' | 'h3';

interface Skip {
  label: string;
  onSkip: () => void;
}

/** "Step n of 3" over the step's title, which gets the focus when the step opens. */
function StepHeading(props: { level: HeadingLevel; step: number; title: string; headingRef?: RefObject<HTMLHeadingElement> }) {
  const ownRef = useRef<HTMLHeadingElement>(null);
  const ref = props.headingRef ?? ownRef;
  const Heading = props.level;
  useLayoutEffect(() => ref.current?.focus(), []);
  return (
    <div class="step-heading">
      <p class="step-count">Step {props.step} of 3</p>
      <Heading ref={ref} tabIndex={-1}>
        {props.title}
      </Heading>
    </div>
  );
}

function SkipButton({ skip }: { skip: Skip | undefined }) {
  if (!skip) return null;
  return (
    <button type="button" class="link-button" onClick={skip.onSkip}>
      {skip.label}
    </button>
  );
}

/** The manual key in its groups of four, with a button that copies it without the spaces. */
function ManualKey({ manualEntryKey }: { manualEntryKey: string }) {
  const labelId = useUniqueId('manual-key-label');
  const [copyStatus, setCopyStatus] = useState('');
  const copy = () => {
    navigator.clipboard
      .writeText(manualEntryKey.replace(/\s+/g, ''))
      .then(() => setCopyStatus('Key copied'))
      .catch(() => setCopyStatus('Copying is blocked here: select the key and copy it yourself.'));
  };
  return (
    <div class="manual-key">
      <p id={labelId}>Can’t scan it? Type this key into the app instead (time-based, 6 digits):</p>
      <code class="key" aria-labelledby={labelId} data-testid="manual-key">
        {manualEntryKey.split(' ').map((group, index) => (
          <span key={index} class="key-group">
            {group}
          </span>
        ))}
      </code>
      <div class="actions">
        <button type="button" class="secondary" onClick={copy}>
          <Icon paths={icons.copy} />
          Copy key
        </button>
        <span class="copy-status" role="status">
          {copyStatus}
        </span>
      </div>
    </div>
  );
}

/** Step 1: a new pending secret (fetched once, kept when the user comes back), as a QR code and a key. */
function LinkStep(props: {
  token: string;
  heading: HeadingLevel;
  enrollment: EnrollmentStarted | null;
  onStarted: (enrollment: EnrollmentStarted) => void;
  onNext: () => void;
  skip: Skip | undefined;
}) {
  const { api } = usePortal();
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const focusAfterRender = useFocusAfterRender();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { enrollment, onStarted } = props;

  useEffect(() => {
    if (enrollment) return;
    let current = true;
    api
      .startEnrollment(props.token)
      .then((started) => {
        // The image goes into an <img src>: only a PNG data URL is taken from the service.
        if (!started.qrCode.pngDataUrl.startsWith('data:image/png;base64,')) throw new Error('unexpected QR code image');
        if (current) onStarted(started);
      })
      .catch((error: unknown) => {
        if (current) setFailure(describeFailure(error));
      });
    return () => {
      current = false;
    };
  }, [attempt]);

  const heading = <StepHeading level={props.heading} step={1} title="Link authenticator app" headingRef={headingRef} />;
  if (!enrollment) {
    const retry = () => {
      setFailure(null);
      setAttempt((count) => count + 1);
      // The Try again button goes away: the focus goes back to the step's title.
      focusAfterRender(() => headingRef.current);
    };
    return (
      <section class="stack" aria-busy={failure === null ? 'true' : undefined}>
        {heading}
        <p>Preparing your key…</p>
        <ErrorArea message={failure ?? ''} />
        {failure === null ? null : (
          <div class="actions">
            <button type="button" class="secondary" onClick={retry}>
              Try again
            </button>
            <SkipButton skip={props.skip} />
          </div>
        )}
      </section>
    );
  }
  return (
    <section class="stack">
      {heading}
      <p>Open your authenticator app (Google Authenticator, Authy, 1Password, …), add an account and scan this QR code.</p>
      <img class="qr" src={enrollment.qrCode.pngDataUrl} alt="QR code to scan with your authenticator app" width={200} height={200} />
      <ManualKey manualEntryKey={enrollment.manualEntryKey} />
      <div class="actions">
        <button type="button" class="primary" onClick={props.onNext}>
          Next: confirm linking
        </button>
        <SkipButton skip={props.skip} />
      </div>
    </section>
  );
}

/** Step 2: the code the app now shows proves it is linked. */
function ConfirmStep(props: {
  token: string;
  heading: HeadingLevel;
  onBack: () => void;
  onConfirmed: (confirmed: EnrollmentConfirmed) => void;
  onSecretGone: () => void;
}) {
  const { api } = usePortal();
  const [code, setCode] = useState('');
  const confirm = async () => {
    try {
      props.onConfirmed(await api.confirmEnrollment(props.token, code.trim()));
    } catch (error) {
      // The pending secret is gone (expired or too many wrong codes): going back shows a new one.
      if (error instanceof ApiError && error.code === 'not_enrolled') props.onSecretGone();
      throw error;
    }
  };
  return (
    <section class="stack">
      <StepHeading level={props.heading} step={2} title="Confirm linking" />
      <p>Enter the 6-digit code your authenticator app now shows for this account, to prove it is linked.</p>
      <ActionForm
        submitLabel="Confirm"
        onSubmit={confirm}
        extra={
          <button type="button" class="secondary" onClick={props.onBack}>
            Back to the QR code
          </button>
        }
      >
        <TotpField value={code} onValue={setCode} />
      </ActionForm>
    </section>
  );
}

type WizardStep = { step: 'link' } | { step: 'confirm' } | { step: 'codes'; confirmed: EnrollmentConfirmed };

export interface EnrollmentWizardProps {
  /** A session, or the challenge of TWO_FACTOR_ENROLLMENT_REQUIRED. */
  token: string;
  heading: HeadingLevel;
  skip?: Skip;
  /** Gets the confirmation (with the session in the challenge case) once the user has saved the codes. */
  onComplete: (confirmed: EnrollmentConfirmed) => void;
}

/** Link authenticator app → Confirm linking → Download backup codes. */
export function EnrollmentWizard({ token, heading, skip, onComplete }: EnrollmentWizardProps) {
  const [step, setStep] = useState<WizardStep>({ step: 'link' });
  const [enrollment, setEnrollment] = useState<EnrollmentStarted | null>(null);
  const content = (() => {
    switch (step.step) {
      case 'link':
        return (
          <LinkStep
            token={token}
            heading={heading}
            enrollment={enrollment}
            onStarted={setEnrollment}
            onNext={() => setStep({ step: 'confirm' })}
            skip={skip}
          />
        );
      case 'confirm':
        return (
          <ConfirmStep
            token={token}
            heading={heading}
            onBack={() => setStep({ step: 'link' })}
            onSecretGone={() => setEnrollment(null)}
            onConfirmed={(confirmed) => {
              setEnrollment(null);
              setStep({ step: 'codes', confirmed });
              announce('Two-factor authentication is on.');
            }}
          />
        );
      case 'codes':
        return (
          <BackupCodesPanel
            heading={<StepHeading level={heading} step={3} title="Download backup codes" />}
            codes={step.confirmed.backupCodes}
            file={step.confirmed.backupCodesFile}
            doneLabel="Continue"
            onDone={() => onComplete(step.confirmed)}
          />
        );
    }
  })();
  return (
    <div class="wizard" key={step.step}>
      {content}
    </div>
  );
}
