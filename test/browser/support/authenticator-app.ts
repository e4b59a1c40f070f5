import { awayFromStepBoundary, currentStep, totpCode } from '../../support/authenticator.js';

/**
 * The phone in the user's hand: shows codes of an independent RFC 6238 implementation (node:crypto, not
 * the service's library). The service accepts the previous, current and next 30 s step, but never a step
 * at or before one it already accepted for the user, so the app hands out the earliest step still
 * acceptable and waits for the clock when the window is used up.
 */
export class AuthenticatorApp {
  private lastStepUsed: number;

  constructor(
    readonly secret: string,
    /** The last step the service accepted for this user (e.g. the one that confirmed the enrollment). */
    lastStepUsed = Number.NEGATIVE_INFINITY,
  ) {
    this.lastStepUsed = lastStepUsed;
  }

  /** The code to type now, far enough from a step boundary that it is still good when it arrives. */
  async nextCode(): Promise<string> {
    for (;;) {
      await awayFromStepBoundary(6_000);
      const now = currentStep();
      const step = Math.max(this.lastStepUsed + 1, now - 1);
      if (step <= now + 1) {
        this.lastStepUsed = step;
        return totpCode(this.secret, step);
      }
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 50));
    }
  }

  /** A code that no step the service could accept now produces. */
  wrongCode(): string {
    const now = currentStep();
    const valid = new Set([-2, -1, 0, 1, 2].map((offset) => totpCode(this.secret, now + offset)));
    for (let candidate = 0; ; candidate++) {
      const code = String((123456 + candidate * 7919) % 1_000_000).padStart(6, '0');
      if (!valid.has(code)) return code;
    }
  }
}
