import { RecoveryWindow } from '@orochi/backstage-plugin-orochi-common';
import { localTime } from './format';

/** A default name for a copy of a cluster: a valid cluster name, within the length limit. */
export function copyName(source: string, suffix: string): string {
  return `${source.slice(0, 40 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** Why a moment cannot be restored to, or undefined when it can. */
export function outsideWindow(window: RecoveryWindow, time: string | undefined): string | undefined {
  if (!time) return 'Choose a date and time.';
  if (!window.earliest || !window.latest) return 'The cluster has no recovery window yet.';
  const at = Date.parse(time);
  if (at < Date.parse(window.earliest) || at > Date.parse(window.latest)) {
    return `Choose a moment between ${localTime(window.earliest)} and ${localTime(window.latest)}.`;
  }
  return undefined;
}
