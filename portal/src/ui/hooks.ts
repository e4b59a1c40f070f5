import type { RefObject } from 'preact';
import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';

let lastId = 0;

/** An id unique in the page, fixed for the component's life (for label `for`, `aria-describedby`, …). */
export function useUniqueId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++lastId}`);
  return id;
}

/**
 * A ref whose element gets the focus when the component mounts (when `enabled`): the field a screen
 * starts with, the heading of a step. Effects run children first, so the innermost request wins.
 */
export function useFocusOnMount<T extends HTMLElement>(enabled = true): RefObject<T> {
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    if (enabled) ref.current?.focus();
  }, []);
  return ref;
}

/**
 * Moves the focus once the next render is on the page: to a button that the render enables again, to a
 * row redrawn with news, to the radio button of the mode the draft kept. `focusAfterRender(() => element)`
 * reads the element then, from a ref.
 */
export function useFocusAfterRender(): (target: () => HTMLElement | null | undefined) => void {
  const pending = useRef<(() => HTMLElement | null | undefined) | null>(null);
  const [requests, setRequests] = useState(0);
  useLayoutEffect(() => {
    const target = pending.current;
    pending.current = null;
    target?.()?.focus();
  }, [requests]);
  return useCallback((target: () => HTMLElement | null | undefined) => {
    pending.current = target;
    setRequests((count) => count + 1);
  }, []);
}
