import { ApiError, type EnrollmentConfirmed, type EnrollmentStarted, type TwoFactorApi } from '../api/client.js';
import { announce, downloadTextFile, errorArea, h, icon, icons } from '../ui/dom.js';
import { actionForm, describeFailure, totpField } from '../ui/forms.js';

type Heading = 'h2' | 'h3';

function stepHeading(tag: Heading, step: number, title: string): HTMLElement {
  return h('div', { class: 'step-heading' }, h('p', { class: 'step-count' }, `Step ${step} of 3`), h(tag, { tabindex: -1 }, title));
}

/** The manual key in its groups of four, with a button that copies it without the spaces. */
function manualKey(key: string): HTMLElement {
  const copyButton = h('button', { type: 'button', class: 'secondary' }, icon(icons.copy), 'Copy key');
  const status = h('span', { class: 'copy-status', role: 'status' });
  copyButton.addEventListener('click', () => {
    navigator.clipboard
      .writeText(key.replace(/\s+/g, ''))
      .then(() => {
        status.textContent = 'Key copied';
      })
      .catch(() => {
        status.textContent = 'Copying is blocked here: select the key and copy it yourself.';
      });
  });
  return h(
    'div',
    { class: 'manual-key' },
    h('p', { id: 'manual-key-label' }, 'Can’t scan it? Type this key into the app instead (time-based, 6 digits):'),
    h(
      'code',
      { class: 'key', 'aria-labelledby': 'manual-key-label', 'data-testid': 'manual-key' },
      ...key.split(' ').map((group) => h('span', { class: 'key-group' }, group)),
    ),
    h('div', { class: 'actions' }, copyButton, status),
  );
}

/**
 * The backup codes, shown once: download them as the service's .txt, tick "I saved them", continue.
 * Used after linking and after generating a new set.
 */
export function backupCodesPanel(options: {
  heading: HTMLElement;
  codes: string[];
  file: { filename: string; content: string };
  doneLabel: string;
  onDone: () => void;
}): HTMLElement {
  const saved = h('input', { type: 'checkbox', id: `saved-${Math.random().toString(36).slice(2)}` });
  const done = h('button', { type: 'button', class: 'primary', disabled: true }, options.doneLabel);
  saved.addEventListener('change', () => (done.disabled = !saved.checked));
  done.addEventListener('click', options.onDone);
  const download = h('button', { type: 'button', class: 'secondary' }, icon(icons.download), 'Download backup codes (.txt)');
  download.addEventListener('click', () => {
    downloadTextFile(options.file.filename, options.file.content);
    announce(`Downloading ${options.file.filename}`);
  });
  return h(
    'section',
    { class: 'stack backup-codes' },
    options.heading,
    h(
      'p',
      {},
      'If you lose your phone, each of these codes signs you in once instead of a code from the app. This is the only time they are shown: download them and keep the file somewhere safe.',
    ),
    h('ol', { class: 'codes', 'aria-label': 'Backup codes' }, ...options.codes.map((code) => h('li', {}, h('code', {}, code)))),
    h('div', { class: 'actions' }, download),
    h('div', { class: 'checkbox' }, saved, h('label', { for: saved.id }, 'I have saved my backup codes somewhere safe')),
    h('div', { class: 'actions' }, done),
  );
}

/**
 * Link authenticator app → Confirm linking → Download backup codes. `token` is a session or the
 * challenge of TWO_FACTOR_ENROLLMENT_REQUIRED; `onComplete` gets the confirmation (with the session in
 * the challenge case) once the user has saved the codes.
 */
export function enrollmentWizard(options: {
  api: TwoFactorApi;
  token: string;
  heading: Heading;
  skip?: { label: string; onSkip: () => void };
  onComplete: (confirmed: EnrollmentConfirmed) => void;
}): HTMLElement {
  const root = h('div', { class: 'wizard' });
  let enrollment: EnrollmentStarted | null = null;

  const show = (content: HTMLElement) => {
    root.replaceChildren(content);
    content.querySelector<HTMLElement>(options.heading)?.focus();
  };

  const skipButton = () => {
    if (!options.skip) return null;
    const button = h('button', { type: 'button', class: 'link-button' }, options.skip.label);
    button.addEventListener('click', options.skip.onSkip);
    return button;
  };

  async function linkStep(): Promise<void> {
    const errors = errorArea();
    const loading = h(
      'section',
      { class: 'stack', 'aria-busy': 'true' },
      stepHeading(options.heading, 1, 'Link authenticator app'),
      h('p', {}, 'Preparing your key…'),
      errors.element,
    );
    show(loading);
    if (!enrollment) {
      try {
        enrollment = await options.api.startEnrollment(options.token);
      } catch (error) {
        loading.removeAttribute('aria-busy');
        errors.show(describeFailure(error));
        const retry = h('button', { type: 'button', class: 'secondary' }, 'Try again');
        retry.addEventListener('click', () => void linkStep());
        loading.append(h('div', { class: 'actions' }, retry, skipButton()));
        return;
      }
    }
    if (!enrollment.qrCode.pngDataUrl.startsWith('data:image/png;base64,')) throw new Error('unexpected QR code image');
    const next = h('button', { type: 'button', class: 'primary' }, 'Next: confirm linking');
    next.addEventListener('click', () => confirmStep());
    show(
      h(
        'section',
        { class: 'stack' },
        stepHeading(options.heading, 1, 'Link authenticator app'),
        h('p', {}, 'Open your authenticator app (Google Authenticator, Authy, 1Password, …), add an account and scan this QR code.'),
        h('img', {
          class: 'qr',
          src: enrollment.qrCode.pngDataUrl,
          alt: 'QR code to scan with your authenticator app',
          width: 200,
          height: 200,
        }),
        manualKey(enrollment.manualEntryKey),
        h('div', { class: 'actions' }, next, skipButton()),
      ),
    );
  }

  function confirmStep(): void {
    const code = totpField();
    const back = h('button', { type: 'button', class: 'secondary' }, 'Back to the QR code');
    back.addEventListener('click', () => void linkStep());
    const { form } = actionForm({
      submitLabel: 'Confirm',
      fields: [code],
      extra: [back],
      submit: async () => {
        try {
          const confirmed = await options.api.confirmEnrollment(options.token, code.input.value.trim());
          enrollment = null;
          codesStep(confirmed);
        } catch (error) {
          // The pending secret is gone (expired or too many wrong codes): going back shows a new one.
          if (error instanceof ApiError && error.code === 'not_enrolled') enrollment = null;
          throw error;
        }
      },
    });
    show(
      h(
        'section',
        { class: 'stack' },
        stepHeading(options.heading, 2, 'Confirm linking'),
        h('p', {}, 'Enter the 6-digit code your authenticator app now shows for this account, to prove it is linked.'),
        form,
      ),
    );
  }

  function codesStep(confirmed: EnrollmentConfirmed): void {
    announce('Two-factor authentication is on.');
    show(
      backupCodesPanel({
        heading: stepHeading(options.heading, 3, 'Download backup codes'),
        codes: confirmed.backupCodes,
        file: confirmed.backupCodesFile,
        doneLabel: 'Continue',
        onDone: () => options.onComplete(confirmed),
      }),
    );
  }

  void linkStep();
  return root;
}
