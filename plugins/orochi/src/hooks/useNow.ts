import { useEffect, useState } from 'react';

/**
 * The current time, renewed when a countdown to `target` would change its text: at the next whole minute before
 * the target (countdowns show minutes), so a page shows an expiry correctly without re-rendering every second.
 */
export function useNowForCountdown(target: string | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!target) return undefined;
    const left = Date.parse(target) - now;
    if (!(left > 0)) return undefined;
    const timer = setTimeout(() => setNow(Date.now()), (left % 60_000) + 50);
    return () => clearTimeout(timer);
  }, [target, now]);
  return now;
}
