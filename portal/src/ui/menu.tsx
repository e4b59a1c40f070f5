import { useLayoutEffect, useRef } from 'preact/hooks';
import { Layer } from './layer.js';

interface MenuItem {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  /** Said after the label when disabled, e.g. why. */
  hint?: string;
}

export interface MenuProps {
  label: string;
  items: MenuItem[];
  /** Where the menu's top left corner goes, or the element it opens above (the user menu at the bottom). */
  at: { x: number; y: number } | { above: HTMLElement };
  /** Where the focus goes back when the menu closes from the keyboard or by a choice. */
  returnFocus: HTMLElement | null;
  /** The owner stops drawing the menu. */
  onClose: () => void;
}

/**
 * A menu (role=menu) drawn while its owner renders it, at a point or above an anchor: arrow keys, Home
 * and End move, Enter and Space choose, Escape and Tab close, and so does a click elsewhere.
 */
export function Menu(props: MenuProps) {
  return (
    <Layer>
      <MenuList {...props} />
    </Layer>
  );
}

function MenuList({ label, items, at, returnFocus, onClose }: MenuProps) {
  const menuRef = useRef<HTMLDivElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const latestOnClose = useRef(onClose);
  latestOnClose.current = onClose;

  const close = (restoreFocus: boolean) => {
    if (restoreFocus && returnFocus?.isConnected) returnFocus.focus();
    onClose();
  };

  useLayoutEffect(() => {
    const menu = menuRef.current;
    if (!menu) return;
    const { innerWidth, innerHeight } = window;
    const size = menu.getBoundingClientRect();
    let point = at;
    if ('above' in point) {
      const anchor = point.above.getBoundingClientRect();
      point = { x: anchor.left, y: anchor.top - size.height - 6 };
    }
    // The position depends on the menu's own size, measured here. Set through the CSSOM, which the CSP's
    // style-src 'self' allows (it refuses style attributes in markup, not element.style).
    menu.style.left = `${Math.max(4, Math.min(point.x, innerWidth - size.width - 4))}px`;
    menu.style.top = `${Math.max(4, Math.min(point.y, innerHeight - size.height - 4))}px`;
    itemRefs.current[0]?.focus();
    const outside = (event: MouseEvent) => {
      if (!(event.target instanceof Node && menu.contains(event.target))) latestOnClose.current();
    };
    document.addEventListener('mousedown', outside, true);
    return () => document.removeEventListener('mousedown', outside, true);
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    const buttons = itemRefs.current.filter((button): button is HTMLButtonElement => button !== null);
    const current = buttons.findIndex((button) => button === document.activeElement);
    const move = (to: number) => buttons[(to + buttons.length) % buttons.length]?.focus();
    if (event.key === 'ArrowDown') move(current + 1);
    else if (event.key === 'ArrowUp') move(current - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(buttons.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') close(true);
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div ref={menuRef} class="menu" role="menu" aria-label={label} onKeyDown={onKeyDown}>
      {items.map((item, index) => (
        <button
          key={item.label}
          ref={(button) => {
            itemRefs.current[index] = button;
          }}
          type="button"
          role="menuitem"
          tabIndex={-1}
          class="menu-item"
          aria-disabled={item.disabled ? 'true' : undefined}
          onClick={() => {
            if (item.disabled) return;
            close(true);
            item.onSelect();
          }}
        >
          {item.label}
          {item.hint ? <span class="menu-hint">{item.hint}</span> : null}
        </button>
      ))}
    </div>
  );
}
