import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../context.js';
import { ErrorArea } from '../ui/action-form.js';
import { describeFailure } from '../ui/failure.js';

type Loaded<T> = { state: 'loading' | 'handled' } | { state: 'failed'; message: string } | { state: 'loaded'; value: T };

/**
 * What a page loads when it opens, under its heading: "Loading…" (aria-busy) until it arrives, then
 * `children(value)`; a refusal is shown in an alert, unless the session handled it (signed out, or sent
 * to set up 2FA).
 */
export function LoadedContent<T>({ load, children }: { load: () => Promise<T>; children: (value: T) => ComponentChildren }) {
  const session = useSession();
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    load()
      .then((value) => {
        if (current) setLoaded({ state: 'loaded', value });
      })
      .catch((error: unknown) => {
        if (session.handleSessionFailure(error)) {
          if (current) setLoaded({ state: 'handled' });
        } else if (current) setLoaded({ state: 'failed', message: describeFailure(error) });
      });
    return () => {
      current = false;
    };
  }, []);
  return (
    <div class="stack" aria-busy={loaded.state === 'loading' ? 'true' : undefined}>
      {loaded.state === 'loaded' ? (
        children(loaded.value)
      ) : loaded.state === 'failed' ? (
        <ErrorArea message={loaded.message} />
      ) : (
        <p class="muted">Loading…</p>
      )}
    </div>
  );
}
