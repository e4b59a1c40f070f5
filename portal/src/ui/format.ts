/** "5 Jan 2026, 14:30" (the browser's time zone). */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "1 minute", "45 seconds", "2 minutes 30 seconds". */
export function formatWait(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [
    minutes > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : '',
    rest > 0 || minutes === 0 ? `${rest} second${rest === 1 ? '' : 's'}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

const dayMs = 86_400_000;

/**
 * Whole days from `now` (epoch ms) to `deadline`, a part of a day counting as one: what the deadline
 * reminder emails say (7 when it is more than 6 and at most 7 days away); 0 once it has passed.
 */
export function daysLeft(deadline: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(deadline) - now) / dayMs));
}
