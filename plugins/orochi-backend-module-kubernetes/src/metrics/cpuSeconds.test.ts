import { CpuSecondsCounter } from './cpuSeconds';

describe('CpuSecondsCounter', () => {
  it('integrates each newer rate over the time since the reading before it', () => {
    const counter = new CpuSecondsCounter();
    expect(counter.add('c1', { pod: 'uid-1', cores: 0.5, at: 0 })).toBe(0);
    expect(counter.add('c1', { pod: 'uid-1', cores: 0.25, at: 15_000 })).toBeCloseTo(3.75);
    // metrics-server has not measured again: nothing new.
    expect(counter.add('c1', { pod: 'uid-1', cores: 0.25, at: 15_000 })).toBeCloseTo(3.75);
    expect(counter.add('c1', { pod: 'uid-1', cores: 2, at: 45_000 })).toBeCloseTo(63.75);
    // Other clusters count on their own.
    expect(counter.add('c2', { pod: 'uid-9', cores: 1, at: 45_000 })).toBe(0);
  });

  it('keeps counting up over a new pod without crediting it with the time before it', () => {
    const counter = new CpuSecondsCounter();
    counter.add('c1', { pod: 'uid-1', cores: 1, at: 0 });
    expect(counter.add('c1', { pod: 'uid-1', cores: 1, at: 10_000 })).toBeCloseTo(10);
    // Woken after an hour of hibernation, or failed over: a new pod.
    expect(counter.add('c1', { pod: 'uid-2', cores: 1, at: 3_610_000 })).toBeCloseTo(10);
    expect(counter.add('c1', { pod: 'uid-2', cores: 0.5, at: 3_620_000 })).toBeCloseTo(15);
  });
});
