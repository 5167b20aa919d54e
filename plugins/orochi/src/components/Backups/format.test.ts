import { formatDuration, fromLocalInput, humanBytes, toLocalInput } from './format';

// These hold in any time zone; run with TZ=Asia/Kolkata or TZ=America/New_York to see the offsets at work.
describe('datetime-local conversion', () => {
  it('reads the input’s value as local time and answers the same moment in UTC', () => {
    const iso = fromLocalInput('2026-12-02T08:15:30')!;
    const offsetMs = new Date(2026, 11, 2, 8, 15, 30).getTimezoneOffset() * 60_000;
    expect(iso).toMatch(/Z$/);
    expect(Date.parse(iso) - Date.UTC(2026, 11, 2, 8, 15, 30)).toBe(offsetMs);
    expect(fromLocalInput('2026-12-02T08:15')).toBe(new Date(2026, 11, 2, 8, 15).toISOString());
    expect(fromLocalInput('2026-12-02T08:15:30.000')).toBe(iso);
  });

  it('shows a moment in local time, and back again', () => {
    expect(toLocalInput(fromLocalInput('2026-12-02T08:15:30')!)).toBe('2026-12-02T08:15:30');
    expect(toLocalInput(new Date(2026, 0, 5, 7, 3, 9).toISOString())).toBe('2026-01-05T07:03:09');
  });

  it('rounds bounds inwards to whole seconds', () => {
    const moment = new Date(2026, 11, 2, 8, 15, 30, 250).toISOString();
    expect(toLocalInput(moment, 'up')).toBe('2026-12-02T08:15:31');
    expect(toLocalInput(moment, 'down')).toBe('2026-12-02T08:15:30');
  });

  it('answers nothing for an empty or incomplete value', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('2026-12-02')).toBeUndefined();
  });
});

describe('formats', () => {
  it('counts down to the minute', () => {
    expect(formatDuration((5 * 60 + 12) * 60_000 + 59_000)).toBe('5 h 12 min');
    expect(formatDuration(42 * 60_000)).toBe('42 min');
    expect(formatDuration(30_000)).toBe('less than a minute');
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe('3 days 4 h');
  });

  it('gives sizes in decimal units', () => {
    expect(humanBytes(undefined)).toBe('—');
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(1_500_000_000)).toBe('1.5 GB');
    expect(humanBytes(980_000_000)).toBe('980 MB');
  });
});
