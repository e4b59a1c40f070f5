/**
 * Polite announcements for screen readers, e.g. "Published", through index.html's `#announcer`
 * (role=status). The region is in the page from the start, outside the Preact tree, because screen
 * readers only reliably read live regions that existed before their text changed.
 */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after clearing makes screen readers read a repeated message again.
  window.setTimeout(() => (region.textContent = message), 30);
}
