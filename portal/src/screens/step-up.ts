import { ApiError } from '../api/client.js';
import type { Portal } from '../portal.js';
import { announce, h, openModal } from '../ui/dom.js';
import { actionForm, backupCodeField, totpField } from '../ui/forms.js';

/** The admin closed the step-up prompt: the action did not run, and there is nothing to report. */
class StepUpCancelled extends Error {
  constructor() {
    super('Step-up cancelled');
    this.name = 'StepUpCancelled';
  }
}

export function isStepUpCancelled(error: unknown): boolean {
  return error instanceof StepUpCancelled;
}

/**
 * Runs an action that may weaken an account or the app (an admin's reset or unlock, a lower mode, browsers
 * remembered longer, publishing such a draft). When the service answers 403 `step_up_required`, asks for
 * the second factor in a modal, proves it with `POST /2fa/step-up`, and runs the action again. Resolves
 * with the action's result; rejects with its refusal, or with StepUpCancelled when the prompt is closed.
 */
export async function withStepUp<T>(portal: Portal, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'step_up_required')) throw error;
  }
  await stepUpPrompt(portal);
  return action();
}

/**
 * "Confirm it’s you": a code from the authenticator app, or a backup code instead. Resolves once the
 * service accepted it (the session may then weaken things for 10 minutes); rejects with StepUpCancelled
 * when the admin closes the prompt or the session has ended.
 */
function stepUpPrompt(portal: Portal): Promise<void> {
  return new Promise((resolve, reject) => {
    let verified = false;
    const modal = openModal({
      title: 'Confirm it’s you',
      className: 'step-up-dialog',
      onClose: () => (verified ? resolve() : reject(new StepUpCancelled())),
    });
    const body = modal.body;
    const prove = async (factor: { code: string } | { backupCode: string }) => {
      const token = portal.requireSession().token;
      try {
        const stepped = await portal.api.stepUp(token, factor);
        if (portal.session) portal.session.token = stepped.session.token;
      } catch (error) {
        if (portal.handleSessionFailure(error)) {
          modal.close();
          return;
        }
        throw error;
      }
      verified = true;
      announce('Confirmed. Finishing the change.');
      modal.close();
    };
    const intro = (text: string) =>
      h(
        'p',
        {},
        'This change can weaken the protection of an account or of the app, so the service asks for your second factor again (once confirmed, it stays proven for 10 minutes). ',
        text,
      );

    const withApp = () => {
      const code = totpField();
      const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
      cancel.addEventListener('click', () => modal.close());
      const useBackup = h('button', { type: 'button', class: 'link-button' }, 'Use a backup code instead');
      useBackup.addEventListener('click', withBackupCode);
      const { form } = actionForm({
        submitLabel: 'Confirm',
        fields: [code],
        extra: [cancel],
        submit: () => prove({ code: code.input.value.trim() }),
      });
      body.replaceChildren(
        h(
          'div',
          { class: 'stack' },
          intro('Enter the code your authenticator app shows now.'),
          form,
          h('p', { class: 'switch' }, useBackup),
        ),
      );
      code.input.focus();
    };

    const withBackupCode = () => {
      const backupCode = backupCodeField();
      const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
      cancel.addEventListener('click', () => modal.close());
      const useApp = h('button', { type: 'button', class: 'link-button' }, 'Use your authenticator app instead');
      useApp.addEventListener('click', withApp);
      const { form } = actionForm({
        submitLabel: 'Confirm',
        fields: [backupCode],
        extra: [cancel],
        submit: () => prove({ backupCode: backupCode.input.value.trim() }),
      });
      body.replaceChildren(
        h('div', { class: 'stack' }, intro('Lost your phone? Enter one of your backup codes.'), form, h('p', { class: 'switch' }, useApp)),
      );
      backupCode.input.focus();
    };

    withApp();
  });
}
