/** A few DOM helpers instead of a framework: elements, announcements, menus and modal dialogs. */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * Creates an element. Attributes named `on<event>` become listeners; `true` sets a boolean attribute,
 * `false`, `null` and `undefined` leave it out. Text children are text nodes, never HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** The nodes among `nodes` that are there (for `replaceChildren`, which takes no null). */
export function present(...nodes: (Node | null | undefined | false)[]): Node[] {
  return nodes.filter((node): node is Node => Boolean(node));
}

/** An inline SVG icon (static markup from this bundle, hidden from assistive technology). */
export function icon(paths: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const d of paths.split('|')) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

export const icons = {
  user: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9Z|M3.5 21a8.5 8.5 0 0 1 17 0',
  shield: 'M12 2.5 4 5.5v6c0 5 3.4 8.9 8 10 4.6-1.1 8-5 8-10v-6l-8-3Z|M8.5 12l2.5 2.5 4.5-5',
  dots: 'M5 12h.01|M12 12h.01|M19 12h.01',
  copy: 'M9 9h10v12H9z|M5 15V3h10',
  download: 'M12 3v12|M7 10l5 5 5-5|M5 21h14',
  close: 'M6 6l12 12|M18 6 6 18',
  home: 'M3 11 12 3l9 8|M5 10v11h14V10',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z|M4 12h2|M18 12h2|M12 4v2|M12 18v2',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z|M2 21a7 7 0 0 1 14 0|M16 3.5a4 4 0 0 1 0 7.5|M19 14a6 6 0 0 1 3 7',
};

/** The element of index.html the portal draws into (and makes inert under a modal dialog). */
export function appRoot(): HTMLElement {
  const root = document.getElementById('app');
  if (!root) throw new Error('The page has no #app element');
  return root;
}

/** Polite announcements for screen readers (role=status), e.g. "Published". */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after clearing makes screen readers read a repeated message again.
  window.setTimeout(() => (region.textContent = message), 30);
}

/** An error area that announces itself (role=alert) when a message is put in it. */
export function errorArea(): { element: HTMLElement; show(message: string): void; clear(): void } {
  const element = h('div', { class: 'error', role: 'alert' });
  return {
    element,
    show: (message) => {
      element.textContent = message;
    },
    clear: () => {
      element.textContent = '';
    },
  };
}

const focusableSelector =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(focusableSelector)].filter(
    (element) => !element.closest('[hidden]') && element.getClientRects().length > 0,
  );
}

export interface Modal {
  dialog: HTMLElement;
  body: HTMLElement;
  close(): void;
}

/**
 * Opens a modal dialog: the rest of the page becomes inert, Tab and Shift+Tab cycle inside the dialog,
 * Escape and the close button close it, and focus returns to whatever opened it. A dialog opened from
 * another (the step-up prompt over a confirmation) makes that one inert until it closes.
 */
export function openModal(options: { title: string; description?: string; onClose?: () => void; className?: string }): Modal {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const app = appRoot();
  const beneath = [...document.querySelectorAll<HTMLElement>('body > .backdrop')].filter((other) => !other.inert);
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const body = h('div', { class: 'dialog-body' });
  const heading = h('h2', { id: titleId, tabindex: -1 }, options.title);
  const closeButton = h('button', { type: 'button', class: 'icon-button dialog-close', 'aria-label': 'Close' }, icon(icons.close));
  const dialog = h(
    'div',
    { class: `dialog ${options.className ?? ''}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
    h('div', { class: 'dialog-header' }, heading, closeButton),
    options.description ? h('p', { class: 'dialog-description' }, options.description) : null,
    body,
  );
  const backdrop = h('div', { class: 'backdrop' }, dialog);
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    backdrop.remove();
    if (beneath.length === 0) app.inert = false;
    beneath.forEach((other) => (other.inert = false));
    options.onClose?.();
    if (opener?.isConnected) opener.focus();
  };
  closeButton.addEventListener('click', close);
  backdrop.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
    if (event.key !== 'Tab') return;
    const items = focusables(dialog);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });
  backdrop.addEventListener('mousedown', (event) => {
    if (event.target === backdrop) close();
  });
  document.body.append(backdrop);
  app.inert = true;
  beneath.forEach((other) => (other.inert = true));
  heading.focus();
  return { dialog, body, close };
}

/** Moves focus into freshly rendered content: to its first field, else its heading. */
export function focusFirst(root: HTMLElement): void {
  const target = root.querySelector<HTMLElement>('input:not([disabled])') ?? root.querySelector<HTMLElement>('h1, h2');
  target?.focus();
}

export interface MenuItem {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  /** Said after the label when disabled, e.g. why. */
  hint?: string;
}

/**
 * A menu (role=menu) at a point or below an anchor: arrow keys, Home and End move, Enter and Space
 * choose, Escape and Tab close; focus returns to `returnFocus`.
 */
export function openMenu(options: {
  label: string;
  items: MenuItem[];
  /** Where the menu's top left corner goes, or the element it opens above (the user menu at the bottom). */
  at: { x: number; y: number } | { above: HTMLElement };
  returnFocus: HTMLElement | null;
  onClose?: () => void;
}): () => void {
  document.querySelectorAll('.menu').forEach((other) => other.dispatchEvent(new Event('menu-close')));
  const menu = h('div', { class: 'menu', role: 'menu', 'aria-label': options.label });
  let closed = false;
  const close = (restoreFocus: boolean) => {
    if (closed) return;
    closed = true;
    menu.remove();
    document.removeEventListener('mousedown', outside, true);
    options.onClose?.();
    if (restoreFocus && options.returnFocus?.isConnected) options.returnFocus.focus();
  };
  const outside = (event: MouseEvent) => {
    if (!menu.contains(event.target as Node)) close(false);
  };
  const buttons = options.items.map((item) => {
    const button = h(
      'button',
      { type: 'button', role: 'menuitem', tabindex: -1, class: 'menu-item', 'aria-disabled': item.disabled ? 'true' : null },
      item.label,
      item.hint ? h('span', { class: 'menu-hint' }, item.hint) : null,
    );
    button.addEventListener('click', () => {
      if (item.disabled) return;
      close(true);
      item.onSelect();
    });
    return button;
  });
  menu.append(...buttons);
  menu.addEventListener('menu-close', () => close(false));
  menu.addEventListener('keydown', (event) => {
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => buttons[(to + buttons.length) % buttons.length]?.focus();
    if (event.key === 'ArrowDown') move(current + 1);
    else if (event.key === 'ArrowUp') move(current - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(buttons.length - 1);
    else if (event.key === 'Escape') close(true);
    else if (event.key === 'Tab') close(true);
    else return;
    event.preventDefault();
    event.stopPropagation();
  });
  document.body.append(menu);
  const { innerWidth, innerHeight } = window;
  const rect = menu.getBoundingClientRect();
  let at = options.at;
  if ('above' in at) {
    const anchor = at.above.getBoundingClientRect();
    at = { x: anchor.left, y: anchor.top - rect.height - 6 };
  }
  menu.style.left = `${Math.max(4, Math.min(at.x, innerWidth - rect.width - 4))}px`;
  menu.style.top = `${Math.max(4, Math.min(at.y, innerHeight - rect.height - 4))}px`;
  document.addEventListener('mousedown', outside, true);
  buttons[0]?.focus();
  return () => close(false);
}

/** Saves a text file through the browser's download (the backup codes .txt). */
export function downloadTextFile(filename: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: 'text/plain;charset=utf-8' }));
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "in 1 minute", "in 45 seconds", "in 2 minutes 30 seconds". */
export function formatWait(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [
    minutes > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : '',
    rest > 0 || minutes === 0 ? `${rest} second${rest === 1 ? '' : 's'}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}
