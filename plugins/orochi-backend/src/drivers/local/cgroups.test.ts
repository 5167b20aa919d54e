import { findCpuHierarchy, instanceCgroup, quotaMicros, quotaWrites, scopeCgroup } from './cgroups';

describe('cgroup paths and quotas', () => {
  it('gives a quota of one period per CU, in whole microseconds, never below the kernel’s 1 ms', () => {
    expect(quotaMicros(1)).toBe(100_000);
    expect(quotaMicros(4)).toBe(400_000);
    expect(quotaMicros(0.25)).toBe(25_000);
    expect(quotaMicros(1 / 3)).toBe(33_333);
    expect(quotaMicros(0.001)).toBe(1_000);
  });

  it('writes the quota as each cgroup version takes it', () => {
    expect(quotaWrites(2, 0.5)).toEqual([['cpu.max', '50000 100000']]);
    expect(quotaWrites(1, 2)).toEqual([
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', '200000'],
    ]);
  });

  it('names a scope per installation and data directory, with a cgroup per cluster and server', () => {
    const scope = scopeCgroup('default', '/var/lib/orochi');
    expect(scope).toMatch(/^orochi\/default-[0-9a-f]{12}$/);
    expect(scopeCgroup('default', '/var/lib/orochi')).toBe(scope);
    expect(scopeCgroup('staging', '/var/lib/orochi')).not.toBe(scope);
    expect(scopeCgroup('default', '/tmp/orochi-local-1')).not.toBe(scope);
    expect(instanceCgroup(scope, 'c1', 2)).toBe(`${scope}/c1/2`);
  });

  describe('finding the cpu controller', () => {
    const hybrid = [
      'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
      'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0',
      'cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0',
      'cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
      '',
    ].join('\n');
    const unified = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n';

    it('takes v2 where its root offers cpu', () => {
      expect(findCpuHierarchy(unified, () => ['cpuset', 'cpu', 'io', 'memory'])).toEqual({ version: 2, mount: '/sys/fs/cgroup' });
    });

    it('takes v1’s cpu hierarchy where v2 has no cpu (a hybrid host), also when mounted with cpuacct', () => {
      expect(findCpuHierarchy(hybrid, () => [])).toEqual({ version: 1, mount: '/sys/fs/cgroup/cpu' });
      expect(findCpuHierarchy('cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0', () => [])).toEqual({
        version: 1,
        mount: '/sys/fs/cgroup/cpu,cpuacct',
      });
      // cpuacct alone is not cpu.
      expect(findCpuHierarchy('cgroup /sys/fs/cgroup/cpuacct cgroup rw,cpuacct 0 0', () => [])).toBeUndefined();
    });

    it('finds none without a cpu controller, and reads escaped mount paths', () => {
      expect(findCpuHierarchy(unified, () => ['memory'])).toBeUndefined();
      const escaped = 'cgroup2 /mnt/my\\040cgroups cgroup2 rw 0 0';
      const controllers = (mount: string) => (mount === '/mnt/my cgroups' ? ['cpu'] : []);
      expect(findCpuHierarchy(escaped, controllers)).toEqual({ version: 2, mount: '/mnt/my cgroups' });
    });
  });
});
