import { DEFAULT_BRANCH_TTL_HOURS, DEFAULT_MAX_BRANCH_TTL_HOURS, Offering } from '@orochi/backstage-plugin-orochi-common';

export interface TtlChoice {
  hours: number;
  label: string;
}

const CHOICES: TtlChoice[] = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 7 * 24, label: '7 days' },
];

/** The times to live a person picks from: an hour, a day, a week, as far as the installation's maximum allows. */
export function ttlChoices(offering?: Offering): TtlChoice[] {
  const max = offering?.branches.maxTtlHours ?? DEFAULT_MAX_BRANCH_TTL_HOURS;
  return CHOICES.filter(choice => choice.hours <= max);
}

/** The choice preselected: the installation's default time to live, else the longest choice below it. */
export function defaultTtlHours(offering?: Offering): number {
  const choices = ttlChoices(offering);
  const wanted = offering?.branches.defaultTtlHours ?? DEFAULT_BRANCH_TTL_HOURS;
  const below = choices.filter(choice => choice.hours <= wanted);
  return (below[below.length - 1] ?? choices[0]).hours;
}

/** The expiry a time to live from now gives, as ISO. */
export function expiryIn(hours: number, now = Date.now()): string {
  return new Date(now + hours * 3_600_000).toISOString();
}
