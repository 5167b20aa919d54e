import { describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { DependencyList, useEffect, useState } from 'react';

/**
 * What `load` answers, read at once and again every `intervalMs` while the component is shown (and anew when
 * `deps` change); an error keeps the last value and says what went wrong.
 */
export function usePolled<T>(load: () => Promise<T>, intervalMs: number, deps: DependencyList): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    let cancelled = false;
    const read = () =>
      load().then(
        value => !cancelled && setState({ value }),
        e => !cancelled && setState(s => ({ ...s, error: describeApiError(e) })),
      );
    read();
    const timer = setInterval(read, intervalMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, intervalMs]);
  return state;
}
