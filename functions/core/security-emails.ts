import { type EmailContent, type RenderedEmail, renderEmail } from './email-templates.js';
import { type SecurityEmailEventType, enforcementDeadlineApproaching } from './security-events.js';

/** Backup codes left at or below which the email warns the user to generate new ones. */
const lowBackupCodesThreshold = 3;

/** Who reset the user's 2FA, as the email names them. */
export type ResetActor = { kind: 'admin'; email: string } | { kind: 'platform' } | { kind: 'unknown' };

/** What a security email is made from: the event and what the notifier read about the app and the users. */
export interface SecurityEmailInput {
  type: SecurityEmailEventType;
  at: string;
  detail: Record<string, string | number | boolean>;
  appName: string;
  recipient: string;
  /** Who reset 2FA (`two_factor.reset` only). */
  resetBy?: ResetActor;
}

/** `2025-06-01 14:03 UTC`: the event's time, the same for every reader whatever their time zone. */
function formatTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return plural(Math.max(1, Math.round(seconds)), 'second');
  if (seconds < 3600) return plural(Math.round(seconds / 60), 'minute');
  return plural(Math.round(seconds / 3600), 'hour');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function numberIn(detail: SecurityEmailInput['detail'], name: string): number | null {
  const value = detail[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringIn(detail: SecurityEmailInput['detail'], name: string): string | null {
  const value = detail[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

const passwordAdvice = (app: string) =>
  `If this was not you, someone may know your password: change it now and tell the administrators of ${app}.`;

function resetByText(actor: ResetActor | undefined): string {
  if (actor?.kind === 'admin') return `${actor.email} (administrator)`;
  if (actor?.kind === 'platform') return 'the service’s support team';
  return 'an administrator';
}

/** The content of each email; the event's `detail` never holds a secret, and nothing here adds one. */
const contents: Record<SecurityEmailEventType, (input: SecurityEmailInput) => EmailContent> = {
  'two_factor.enrolled': ({ appName, at }) => ({
    subject: 'two-factor authentication turned on',
    heading: 'Two-factor authentication is on',
    paragraphs: [
      `Two-factor authentication was turned on for your ${appName} account on ${formatTime(at)}.`,
      'From now on, signing in asks for a code from your authenticator app after your password. Keep your backup codes somewhere safe.',
    ],
    advice: passwordAdvice(appName),
  }),
  'two_factor.disabled': ({ appName, at }) => ({
    subject: 'two-factor authentication turned off',
    heading: 'Two-factor authentication is off',
    paragraphs: [
      `Two-factor authentication was turned off for your ${appName} account on ${formatTime(at)}.`,
      'Signing in now asks for your password only, and your backup codes no longer work.',
    ],
    advice: passwordAdvice(appName),
  }),
  'two_factor.reset': ({ appName, at, detail, resetBy }) => {
    const reason = detail.reasonInternal === true ? null : stringIn(detail, 'reason');
    return {
      subject: 'two-factor authentication reset by an administrator',
      heading: 'Your two-factor authentication was reset',
      paragraphs: [
        `An administrator reset two-factor authentication on your ${appName} account on ${formatTime(at)}.`,
        'Your authenticator app and backup codes no longer work for this account, and you were signed out everywhere. You will be asked to link an authenticator app again.',
      ],
      facts: [['Reset by', resetByText(resetBy)], ...(reason ? [['Reason', reason] as [string, string]] : [])],
      advice: `If you did not ask for this, contact the administrators of ${appName} right away.`,
    };
  },
  'backup_code.used': ({ appName, at, detail }) => {
    const remaining = numberIn(detail, 'backupCodesRemaining');
    const purpose = detail.stepUp === true ? 'to confirm it was you' : 'to sign in';
    const warning =
      remaining === null || remaining > lowBackupCodesThreshold
        ? undefined
        : remaining === 0
          ? 'You have no backup codes left. Generate a new set now, or you could be locked out if you lose your phone.'
          : `Only ${plural(remaining, 'backup code')} left. Generate a new set soon, or you could be locked out if you lose your phone.`;
    return {
      subject: 'a backup code was used',
      heading: `A backup code was used ${purpose}`,
      paragraphs: [`One of your backup codes was used ${purpose} on your ${appName} account on ${formatTime(at)}. Each code works once.`],
      ...(remaining === null ? {} : { facts: [['Backup codes left', String(remaining)]] }),
      ...(warning ? { warning } : {}),
      advice: `If this was not you, someone has your password and a backup code: change your password and generate new backup codes now.`,
    };
  },
  'backup_codes.regenerated': ({ appName, at }) => ({
    subject: 'new backup codes generated',
    heading: 'New backup codes were generated',
    paragraphs: [
      `A new set of backup codes was generated for your ${appName} account on ${formatTime(at)}.`,
      'Your previous backup codes no longer work; keep the new ones somewhere safe.',
    ],
    advice: passwordAdvice(appName),
  }),
  'device.remembered': ({ appName, at, detail }) => {
    const days = numberIn(detail, 'days');
    return {
      subject: 'a browser will skip the authenticator code',
      heading: 'A browser was trusted',
      paragraphs: [
        `On ${formatTime(at)}, a browser signed in to your ${appName} account and chose to skip the authenticator code${days === null ? '' : ` for ${plural(days, 'day')}`}.`,
      ],
      advice: `If this was not you, sign out everywhere from your two-factor authentication settings and change your password.`,
    };
  },
  'two_factor.locked_out': ({ appName, at, detail }) => {
    const failures = numberIn(detail, 'consecutiveFailures');
    const wait = numberIn(detail, 'retryAfterSeconds');
    return {
      subject: 'sign-in paused after wrong codes',
      heading: 'Sign-in paused after wrong authenticator codes',
      paragraphs: [
        `${failures === null ? 'Too many' : String(failures)} wrong authenticator codes in a row were entered for your ${appName} account, after the right password, by ${formatTime(at)}.`,
        `Signing in is paused${wait === null ? '' : ` for ${formatDuration(wait)}`}, and browsers trusted to skip the code must enter one again.`,
      ],
      advice: `If this was not you, someone knows your password: change it now and tell the administrators of ${appName}.`,
    };
  },
  'password.locked_out': ({ appName, at, detail }) => {
    const failures = numberIn(detail, 'consecutiveFailures');
    const wait = numberIn(detail, 'retryAfterSeconds');
    const where = detail.lockedOn === 'device' ? ' on one of your browsers' : '';
    return {
      subject: 'sign-in paused after wrong passwords',
      heading: 'Sign-in paused after wrong passwords',
      paragraphs: [
        `${failures === null ? 'Too many' : String(failures)} wrong passwords in a row were entered for your ${appName} account${where} by ${formatTime(at)}. Nobody got in.`,
        `Signing in with a password is paused${wait === null ? '' : ` for ${formatDuration(wait)}`}${where}.`,
      ],
      advice: `If this was not you, someone may be guessing your password: make sure it is long and used nowhere else.`,
    };
  },
  [enforcementDeadlineApproaching]: ({ appName, detail }) => {
    const daysLeft = numberIn(detail, 'daysLeft');
    const enrollBy = stringIn(detail, 'enrollBy');
    const within = daysLeft === null ? 'soon' : `within ${plural(daysLeft, 'day')}`;
    return {
      subject: `set up two-factor authentication ${within}`,
      heading: `Set up two-factor authentication ${within}`,
      paragraphs: [
        `${appName} requires two-factor authentication on your account${enrollBy ? `, from ${formatTime(enrollBy)}` : ''}.`,
        'Sign in and link an authenticator app from your two-factor authentication settings. After the deadline, you will have to link one before you can do anything else.',
      ],
      advice: `Questions? Ask the administrators of ${appName}.`,
    };
  },
};

/** The email for a security event, as text and HTML, with the app's name. */
export function securityEmail(input: SecurityEmailInput): RenderedEmail {
  return renderEmail(input.appName, input.recipient, contents[input.type](input));
}
