/** A size in bytes as people read it (decimal units, as disks and cloud bills count them). */
export function humanBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

/** A moment in the user's time zone, to the second. */
export function localTime(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An ISO time as the value of a `datetime-local` input: the same moment in the user's time zone, to the second.
 * The input cannot hold milliseconds: `round: 'up'` gives the first whole second not before the moment (for a
 * lower bound, which must not fall before it), `'down'` the last one not after it (for an upper bound).
 */
export function toLocalInput(iso: string, round: 'up' | 'down' = 'down'): string {
  const ms = Date.parse(iso);
  const date = new Date(round === 'up' ? Math.ceil(ms / 1000) * 1000 : Math.floor(ms / 1000) * 1000);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/**
 * A `datetime-local` value (`2026-12-03T10:30` or `2026-12-03T10:30:15`, local time) as an ISO time in UTC;
 * undefined for an empty or incomplete value.
 */
export function fromLocalInput(value: string): string | undefined {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hours, minutes, seconds = '0'] = match.slice(1);
  // The Date constructor with fields reads them in the local time zone, as the input shows them.
  const date = new Date(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A span of time as a countdown shows it, to the minute: "5 h 12 min", "3 days 4 h", "less than a minute". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}
