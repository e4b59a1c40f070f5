import type { ComponentChildren } from 'preact';
import { useContext, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useUniqueId } from './hooks.js';
import { Icon, icons } from './icon.js';
import { Layer, PageRoot } from './layer.js';

/** The backdrops of the open dialogs, first opened first: only the last one is not inert. */
const openBackdrops: HTMLElement[] = [];

/**
 * The page is inert under any dialog, and so is every dialog under the top one (the step-up prompt over a
 * confirmation). Set at once when a dialog opens or closes, not at the next render: the focus can only go
 * back to the page, or to the dialog beneath, once they are no longer inert.
 */
function updateInert(page: HTMLElement | null): void {
  openBackdrops.forEach((backdrop, index) => (backdrop.inert = index < openBackdrops.length - 1));
  if (page) page.inert = openBackdrops.length > 0;
}

const focusableSelector =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(focusableSelector)].filter(
    (element) => !element.closest('[hidden]') && element.getClientRects().length > 0,
  );
}

export interface ModalProps {
  title: string;
  className?: string;
  /** Escape, the close button or a click beside the dialog: the owner stops drawing it. */
  onClose: () => void;
  children: ComponentChildren;
}

/**
 * A modal dialog, drawn while its owner renders it: the rest of the page is inert, Tab and Shift+Tab cycle
 * inside it, Escape and the close button close it, and when it goes the focus returns to whatever had it
 * when it opened. It focuses its title unless its content focused something of its own (a code field).
 */
export function Modal(props: ModalProps) {
  return (
    <Layer>
      <ModalDialog {...props} />
    </Layer>
  );
}

function ModalDialog({ title, className, onClose, children }: ModalProps) {
  const page = useContext(PageRoot);
  const titleId = useUniqueId('dialog-title');
  // Read while rendering, before the content's effects move the focus into the dialog.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  const backdropRef = useRef<HTMLDivElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useLayoutEffect(() => {
    const backdrop = backdropRef.current;
    if (!backdrop) return;
    openBackdrops.push(backdrop);
    updateInert(page);
    if (!dialogRef.current?.contains(document.activeElement)) headingRef.current?.focus();
    return () => {
      openBackdrops.splice(openBackdrops.indexOf(backdrop), 1);
      updateInert(page);
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
      return;
    }
    const dialog = dialogRef.current;
    if (event.key !== 'Tab' || !dialog) return;
    const items = focusables(dialog);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    const outside = !dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || outside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || outside)) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div
      ref={backdropRef}
      class="backdrop"
      onKeyDown={onKeyDown}
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div ref={dialogRef} class={`dialog ${className ?? ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <div class="dialog-header">
          <h2 ref={headingRef} id={titleId} tabIndex={-1}>
            {title}
          </h2>
          <button type="button" class="icon-button dialog-close" aria-label="Close" onClick={onClose}>
            <Icon paths={icons.close} />
          </button>
        </div>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}
