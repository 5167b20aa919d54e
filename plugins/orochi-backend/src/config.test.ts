import { ConfigReader } from '@backstage/config';
import { readOrochiConfig } from './config';

const read = (orochi: object) => readOrochiConfig(new ConfigReader({ orochi }));

describe('readOrochiConfig', () => {
  it('defaults to keeping orphans, the default installation, no services beyond reading and CPU limits where possible', () => {
    const config = read({});
    expect(config.reconciler.deleteOrphansAfterMs).toBeUndefined();
    expect(config.installationId).toBe('default');
    expect(config.serviceAccess.size).toBe(0);
    expect(config.local.cpuLimits).toBe('auto');
    expect(config.operations).toMatchObject({ retentionDays: 30, pruneSchedule: expect.objectContaining({ scope: 'global' }) });
  });

  it('reads the orphans’ grace period, the installation and the services named', () => {
    const config = read({
      installationId: 'staging',
      reconciler: { orphans: { deleteAfter: { days: 7 } } },
      serviceAccess: [
        { subject: 'orochi-ci', permissions: ['orochi.cluster.create'] },
        { subject: 'orochi-ci', permissions: ['orochi.cluster.delete'] },
      ],
    });
    expect(config.reconciler.deleteOrphansAfterMs).toBe(7 * 86_400_000);
    expect(config.installationId).toBe('staging');
    expect([...config.serviceAccess.get('orochi-ci')!]).toEqual(['orochi.cluster.create', 'orochi.cluster.delete']);
  });

  it('refuses what it cannot honour, naming the key', () => {
    expect(() => read({ installationId: 'Prod Portal' })).toThrow(/installationId: "Prod Portal" must be/);
    expect(() => read({ serviceAccess: [{ subject: 'ci', permissions: ['orochi.everything'] }] })).toThrow(
      /serviceAccess: unknown permission\(s\) orochi.everything for ci/,
    );
    expect(() => read({ local: { cpuLimits: 'always' } })).toThrow('orochi.local.cpuLimits must be one of auto, off, got always');
  });
});
