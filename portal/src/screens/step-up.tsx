import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ActionForm } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { Modal } from '../ui/modal.js';
import { useSecondFactorInput } from '../ui/second-factor-input.js';

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

type WithStepUp = <T>(action: () => Promise<T>) => Promise<T>;

const StepUpContext = createContext<WithStepUp | null>(null);

/**
 * `withStepUp(action)` runs an action that may weaken an account or the app (an admin's reset or unlock, a
 * lower mode, browsers remembered longer, publishing such a draft). When the service answers 403
 * `step_up_required`, it asks for the second factor in the step-up prompt, and runs the action again once
 * the service accepted it. Resolves with the action's result; rejects with its refusal, or with
 * StepUpCancelled when the prompt is closed.
 */
export function useStepUp(): WithStepUp {
  const withStepUp = useContext(StepUpContext);
  if (!withStepUp) throw new Error('useStepUp outside StepUpProvider');
  return withStepUp;
}

/** Draws the step-up prompt for `useStepUp` below it, over whatever dialog asked for it. */
export function StepUpProvider({ children }: { children: ComponentChildren }) {
  const [prompt, setPrompt] = useState<{ settle: (verified: boolean) => void } | null>(null);
  const withStepUp = useCallback<WithStepUp>(async (action) => {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'step_up_required')) throw error;
    }
    await new Promise<void>((resolve, reject) => {
      setPrompt({
        settle: (verified) => {
          setPrompt(null);
          if (verified) resolve();
          else reject(new StepUpCancelled());
        },
      });
    });
    return action();
  }, []);
  return (
    <StepUpContext.Provider value={withStepUp}>
      {children}
      {prompt ? <StepUpPrompt onSettled={prompt.settle} /> : null}
    </StepUpContext.Provider>
  );
}

/**
 * "Confirm it’s you": a code from the authenticator app, or a backup code instead. Settles verified once
 * the service accepted it (the session may then weaken things for 10 minutes), not verified when the admin
 * closes the prompt or the session has ended.
 */
function StepUpPrompt({ onSettled }: { onSettled: (verified: boolean) => void }) {
  const { api } = usePortal();
  const session = useSession();
  const { method, withApp, factor, field, switcher } = useSecondFactorInput();

  const prove = async () => {
    try {
      const stepped = await api.stepUp(session.token(), factor());
      session.replaceToken(stepped.session.token);
    } catch (error) {
      if (session.handleSessionFailure(error)) {
        onSettled(false);
        return;
      }
      throw error;
    }
    announce('Confirmed. Finishing the change.');
    onSettled(true);
  };

  return (
    <Modal title="Confirm it’s you" className="step-up-dialog" onClose={() => onSettled(false)}>
      <div class="stack" key={method}>
        <p>
          This change can weaken the protection of an account or of the app, so the service asks for your second factor again (once
          confirmed, it stays proven for 10 minutes).{' '}
          {withApp ? 'Enter the code your authenticator app shows now.' : 'Lost your phone? Enter one of your backup codes.'}
        </p>
        <ActionForm
          submitLabel="Confirm"
          onSubmit={prove}
          extra={
            <button type="button" class="secondary" onClick={() => onSettled(false)}>
              Cancel
            </button>
          }
        >
          {field}
        </ActionForm>
        {switcher}
      </div>
    </Modal>
  );
}
