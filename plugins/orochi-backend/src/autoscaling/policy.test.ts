import { DEFAULT_AUTOSCALING_POLICY, DEFAULT_SIZES } from '@orochi/backstage-plugin-orochi-common';
import { decide, ScalingContext } from './policy';

const policy = DEFAULT_AUTOSCALING_POLICY;
const now = Date.parse('2026-12-03T12:00:00Z');
const small = { size: 'small', cu: 1, storageGb: 10 };
const medium = { size: 'medium', cu: 2, storageGb: 10 };

function context(overrides: Partial<ScalingContext> & { at?: typeof small; cpu?: number; memory?: number; storage?: number }): ScalingContext {
  const { at = small, cpu, memory = 0.1, storage = 0.1, ...rest } = overrides;
  return {
    cluster: { ...at, autoscaling: { enabled: true, minCu: 1, maxCu: 4 } },
    sizes: DEFAULT_SIZES,
    utilization: { windowSeconds: 60, samples: 5, ...(cpu === undefined ? {} : { cpu }), memory, storage },
    now,
    ...rest,
  };
}

describe('the autoscaling policy', () => {
  it('scales up one size when CPU or memory is above target × 1.1, and says which', () => {
    expect(decide(context({ cpu: 0.9 }), policy)).toEqual({
      action: 'scale-up',
      rule: 'CPU 90 % is above 77 % (70 % × 1.1)',
      to: { size: 'medium', cu: 2, storageGb: 10 },
    });
    expect(decide(context({ cpu: 0.2, memory: 0.95 }), policy)).toMatchObject({
      action: 'scale-up',
      rule: 'memory 95 % is above 88 % (80 % × 1.1)',
      to: { size: 'medium' },
    });
    // Right at the line is not above it.
    expect(decide(context({ cpu: 0.77 }), policy).action).toBe('none');
  });

  it('waits out the scale-up cooldown, counted from the last scale', () => {
    const verdict = decide(context({ cpu: 0.9, lastScaleAt: now - 30_000 }), policy);
    expect(verdict).toEqual({
      action: 'none',
      rule: 'CPU 90 % is above 77 % (70 % × 1.1), but the last scale was 30 s ago (cooldown 60 s)',
    });
    expect(decide(context({ cpu: 0.9, lastScaleAt: now - 60_000 }), policy).action).toBe('scale-up');
  });

  it('scales down one size when both uses are below target × 0.5, after the longer cooldown', () => {
    const cool = context({ at: medium, cpu: 0.1, memory: 0.1 });
    expect(decide(cool, policy)).toEqual({
      action: 'scale-down',
      rule: 'CPU 10 % and memory 10 % are below 35 % and 40 % (targets × 0.5)',
      to: { size: 'small', cu: 1, storageGb: 10 },
    });
    expect(decide({ ...cool, lastScaleAt: now - 299_000 }, policy)).toMatchObject({
      action: 'none',
      rule: expect.stringMatching(/last scale was 299 s ago \(cooldown 300 s\)$/),
    });
    expect(decide(context({ at: medium, cpu: 0.1, memory: 0.5 }), policy)).toEqual({
      action: 'none',
      rule: 'CPU 10 % and memory 50 % are within the targets',
    });
  });

  it('does not scale down into a size the same load would scale up again', () => {
    // 34 % of large's 4 vCPUs is 1.36 vCPUs: 68 % of medium, under the 77 % line, so down it goes.
    // With the down line at 42 %, 40 % of medium's 2 vCPUs would be 80 % of small: above the line, so it stays.
    const large = { size: 'large', cu: 4, storageGb: 10 };
    expect(decide(context({ at: large, cpu: 0.34 }), policy)).toMatchObject({ action: 'scale-down', to: { size: 'medium' } });
    const borderline = { ...policy, scaleDownBelow: 0.6 };
    expect(decide(context({ at: medium, cpu: 0.4 }), borderline)).toEqual({
      action: 'none',
      rule: 'CPU 40 % and memory 10 % are below 42 % and 48 % (targets × 0.6), but small would be above the scale-up line with the same load',
    });
  });

  it('stays within the range and the plan, and moves into a narrowed range first', () => {
    const ranged = (minCu: number, maxCu: number, at = small, cpu = 0.5): ScalingContext => ({
      ...context({ at, cpu }),
      cluster: { ...at, autoscaling: { enabled: true, minCu, maxCu } },
    });
    expect(decide(ranged(1, 1, small, 0.95), policy)).toEqual({
      action: 'none',
      rule: 'CPU 95 % is above 77 % (70 % × 1.1), but small is the largest size the range and plan allow',
    });
    expect(decide(ranged(2, 4), policy)).toEqual({
      action: 'scale-up',
      rule: "1 CU is below the range's minimum of 2 CU",
      to: { size: 'medium', cu: 2, storageGb: 10 },
    });
    expect(decide(ranged(1, 1, medium), policy)).toMatchObject({ action: 'scale-down', to: { size: 'small' } });
    // The plan's ceiling: only sizes up to 2 CU are offered to the policy.
    const capped = { ...context({ at: medium, cpu: 0.95 }), sizes: DEFAULT_SIZES.filter(s => s.cu <= 2) };
    expect(decide(capped, policy)).toMatchObject({ action: 'none', rule: expect.stringMatching(/largest size the range and plan allow$/) });
  });

  it('decides nothing about compute without a CPU rate', () => {
    expect(decide(context({}), policy)).toEqual({ action: 'none', rule: 'Not enough metrics yet: 5 sample(s) in the window' });
  });

  it('grows a volume past the threshold by 25 %, at least 1 GB, to whole GB, once per cooldown', () => {
    expect(decide(context({ cpu: 0.5, storage: 0.85 }), policy)).toEqual({
      action: 'grow-storage',
      rule: 'storage 85 % is above 80 %',
      to: { size: 'small', cu: 1, storageGb: 13 },
    });
    const tiny = { size: 'small', cu: 1, storageGb: 1 };
    expect(decide(context({ at: tiny, cpu: 0.5, storage: 0.9 }), policy).to).toEqual({ size: 'small', cu: 1, storageGb: 2 });
    expect(decide(context({ cpu: 0.5, storage: 0.85, lastStorageGrowAt: now - 100_000 }), policy)).toEqual({
      action: 'none',
      rule: 'storage 85 % is above 80 %, but the volume grew 100 s ago (cooldown 300 s)',
    });
    // A compute change comes first; the volume grows in a later round.
    expect(decide(context({ cpu: 0.95, storage: 0.9 }), policy).action).toBe('scale-up');
  });
});
