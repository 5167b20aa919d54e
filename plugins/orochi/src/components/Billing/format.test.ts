import { DEFAULT_PLANS } from '@orochi/backstage-plugin-orochi-common';
import { meterText, usageCostUsd } from './format';

describe('billing formats', () => {
  const [free, pro] = DEFAULT_PLANS;

  it('prices a cluster’s usage at its plan’s overage prices, and not at all on a plan without them', () => {
    // December: 744 hours. 10 CU-hours at $0.10, and 744 GB-hours (one GB-month) at $0.25.
    const usage = { compute_unit_seconds: 10 * 3600, storage_bytes_hour: 744e9 };
    expect(usageCostUsd(pro, usage, new Date(Date.UTC(2026, 11, 10)))).toBeCloseTo(1.25, 6);
    expect(usageCostUsd(free, usage)).toBeUndefined();
  });

  it('shows meters in the units people read', () => {
    expect(meterText('compute_unit_seconds', 5400)).toBe('1.50 CU-hours');
    expect(meterText('storage_bytes_hour', 123.4e9)).toBe('123.4 GB-hours');
    expect(meterText('branch_seconds', undefined)).toBe('0.00 branch-hours');
  });
});
