import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredMail } from '../../local/ses-stand-in.js';
import type { PublishedEvent } from './events.js';

/** The folder the local stack's SES stand-in writes every email to (set by the global setup). */
function mailDir(): string {
  const folder = process.env.TWOFA_MAIL_DIR;
  if (!folder) throw new Error('TWOFA_MAIL_DIR is not set: run the tests through jest (its global setup starts the stack)');
  return folder;
}

/** Every email sent to `address` so far, oldest first. */
export function mailsTo(address: string): StoredMail[] {
  const folder = mailDir();
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as StoredMail)
    .filter((mail) => mail.to.includes(address));
}

/** Waits for the `count`-th email to `address` whose subject contains `subject` (events reach the notifier within a second or so). */
export async function mailTo(address: string, subject: string, count = 1): Promise<StoredMail> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = mailsTo(address).filter((mail) => mail.subject.includes(subject));
    if (found.length >= count) return found[count - 1]!;
    if (Date.now() > deadline) throw new Error(`no email "${subject}" (#${count}) to ${address} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Has the local EventBridge deliver an event to the rules' targets once more, now (EventBridge delivers at
 * least once); resolves when the targets have handled it.
 */
export async function redeliver(event: PublishedEvent): Promise<{ targets: number; failed: number }> {
  const response = await fetch(`${process.env.TWOFA_EVENTS_URL}/events/${event.id}/redeliver`, { method: 'POST' });
  if (!response.ok) throw new Error(`redelivery of ${event.id} answered ${response.status}`);
  return (await response.json()) as { targets: number; failed: number };
}
