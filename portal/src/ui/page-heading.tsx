import { createContext } from 'preact';
import { useContext, useLayoutEffect } from 'preact/hooks';
import { useFocusOnMount } from './hooks.js';

/** What the browser tab's title says after the page's heading: the app's name once signed in. */
export const TitleSuffix = createContext('Portal');

/**
 * A screen's h1, which also names the browser tab ("Settings · Demo Portal"). `focus`: the heading gets
 * the focus when the screen opens (signed-in pages); screens that start with a field focus that instead.
 */
export function PageHeading({ children, focus = false }: { children: string; focus?: boolean }) {
  const suffix = useContext(TitleSuffix);
  const ref = useFocusOnMount<HTMLHeadingElement>(focus);
  useLayoutEffect(() => {
    document.title = `${children} · ${suffix}`;
  }, [children, suffix]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
