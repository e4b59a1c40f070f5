import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me, TwoFactorApi } from './api/client.js';

/** The signed-in user's session. Kept in memory only: a reload signs out, and no script can read it from storage. */
export interface Session {
  token: string;
  email: string;
}

export type Page = 'home' | 'settings' | 'users' | 'report';

/** A message shown on top of the next page, e.g. after signing in with a backup code. */
export interface Notice {
  kind: 'info' | 'warning';
  text: string;
  /** Offers "Generate new backup codes" (the codes are running low). */
  offerNewBackupCodes?: boolean;
}

/** Below this many unused backup codes the portal asks the user to generate new ones. */
export const lowBackupCodes = 3;

export function lowCodesNotice(remaining: number): Notice {
  return {
    kind: 'warning',
    text:
      remaining === 0
        ? 'You have no backup codes left. Generate new ones now, so you can still sign in if you lose your phone.'
        : `You have only ${remaining} backup code${remaining === 1 ? '' : 's'} left. Generate new ones so you don’t run out.`,
    offerNewBackupCodes: true,
  };
}

/** The notice a signed-in page shows: the one it was given, else a warning when the backup codes run low. */
export function noticeFor(me: Me, notice: Notice | null): Notice | null {
  const remaining = me.twoFactor.backupCodesRemaining;
  if (notice) return notice;
  return remaining !== null && remaining <= lowBackupCodes ? lowCodesNotice(remaining) : null;
}

/** The app a portal serves: `?app=<id>` or the local stack's demo app. */
export function appIdFromLocation(location: Location): string {
  const requested = new URLSearchParams(location.search).get('app');
  return requested && /^[A-Za-z0-9_-]{1,64}$/.test(requested) ? requested : 'demo';
}

/** The screens shown without a session, in the centred card. */
export type SignedOutScreen =
  | { screen: 'sign-in'; notice?: string }
  | { screen: 'sign-up' }
  | { screen: 'code-prompt'; challengeToken: string; email: string; rememberDeviceDays: number }
  | { screen: 'enrollment'; token: string; email: string; required: boolean };

/** What every screen may use: the typed client and the way between screens. */
export interface PortalContextValue {
  api: TwoFactorApi;
  appId: string;
  show: (screen: SignedOutScreen) => void;
  /** Loads the user (`GET /me`) and shows the signed-in home page, with `notice` on top; rejects if that fails. */
  signedIn: (session: Session, notice?: Notice) => Promise<void>;
}

/** What signed-in screens and dialogs use. */
export interface SessionContextValue {
  me: Me;
  /** The session's token, read when a call is made (a step-up may replace it). */
  token: () => string;
  replaceToken: (token: string) => void;
  refreshMe: () => Promise<void>;
  setNotice: (notice: Notice | null) => void;
  openTwoFactor: () => void;
  signOut: (message?: string) => Promise<void>;
  /** After "Sign out everywhere": this session is over already, and so is every other one. */
  signedOutEverywhere: () => void;
  /**
   * What every signed-in screen does with a refusal: an ended session returns to sign-in; under a
   * required mode, a user without 2FA is sent to set it up (true: handled); anything else is the caller's.
   */
  handleSessionFailure: (error: unknown) => boolean;
}

export const PortalContext = createContext<PortalContextValue | null>(null);
export const SessionContext = createContext<SessionContextValue | null>(null);

export function usePortal(): PortalContextValue {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error('usePortal outside the portal');
  return portal;
}

/** The session of a signed-in screen or dialog: the portal draws those only while there is one. */
export function useSession(): SessionContextValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('Not signed in');
  return session;
}
