import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  createTestDriver,
  driverDirectory,
  readMeta,
  runSteps,
  testCluster,
} from './__testUtils__/localDriverTesting';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(120_000);

/**
 * Several Orochi installations may share a data directory (or a host's clusters directory). Each lists only its
 * own clusters as candidates for orphans, and never removes another's.
 */
describe('installations sharing a data directory', () => {
  const files = driverDirectory();
  const ports = { from: 55400, to: 55499 };
  let alpha: LocalDriver;
  let beta: LocalDriver;
  let unnamed: LocalDriver;
  beforeAll(async () => {
    alpha = await createTestDriver({ dataDirectory: files.directory, ports, installationId: 'alpha' });
    beta = await createTestDriver({ dataDirectory: files.directory, ports, installationId: 'beta' });
    unnamed = await createTestDriver({ dataDirectory: files.directory, ports });
  });
  afterAll(() => files.end());

  const clusterDirectory = (id: string) => join(files.directory, 'clusters', id);

  it('each lists only the clusters it created, and refuses to remove the others', async () => {
    // Hibernated clusters get their files and ports but no running servers: all this test needs.
    const ofAlpha = testCluster('of-alpha', { hibernated: true });
    const ofBeta = testCluster('of-beta', { hibernated: true });
    const ofDefault = testCluster('of-default', { hibernated: true });
    await alpha.apply(ofAlpha, runSteps);
    await beta.apply(ofBeta, runSteps);
    await unnamed.apply(ofDefault, runSteps);
    expect(readMeta(files.directory, ofAlpha.id).installationId).toBe('alpha');
    expect(readMeta(files.directory, ofBeta.id).installationId).toBe('beta');
    expect(readMeta(files.directory, ofDefault.id).installationId).toBe('default');

    // Directories no installation can claim: no metadata, or metadata naming no installation.
    const bare = randomUUID();
    mkdirSync(clusterDirectory(bare), { recursive: true });
    const unclaimed = randomUUID();
    mkdirSync(clusterDirectory(unclaimed), { recursive: true });
    writeFileSync(join(clusterDirectory(unclaimed), 'meta.json'), JSON.stringify({ id: unclaimed, name: 'x', ports: [] }));

    expect(await alpha.listClusterIds()).toEqual([ofAlpha.id]);
    expect(await beta.listClusterIds()).toEqual([ofBeta.id]);
    expect(await unnamed.listClusterIds()).toEqual([ofDefault.id]);

    // Ports stay apart across installations.
    const allPorts = [ofAlpha, ofBeta, ofDefault].flatMap(c => readMeta(files.directory, c.id).ports);
    expect(new Set(allPorts).size).toBe(3);

    await expect(alpha.deleteOrphan(ofBeta.id)).rejects.toThrow(/another installation/);
    await expect(alpha.deleteOrphan(ofDefault.id)).rejects.toThrow(/another installation/);
    await expect(alpha.deleteOrphan(bare)).rejects.toThrow();
    await expect(alpha.deleteOrphan(unclaimed)).rejects.toThrow();
    expect(existsSync(join(clusterDirectory(ofBeta.id), 'instances', '0', 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(existsSync(clusterDirectory(ofDefault.id))).toBe(true);
    expect(existsSync(clusterDirectory(bare))).toBe(true);
    expect(existsSync(clusterDirectory(unclaimed))).toBe(true);

    await alpha.deleteOrphan(ofAlpha.id);
    expect(existsSync(clusterDirectory(ofAlpha.id))).toBe(false);
    // Idempotent: a removed orphan is removed.
    await alpha.deleteOrphan(ofAlpha.id);
    expect(await alpha.listClusterIds()).toEqual([]);
    expect(await beta.listClusterIds()).toEqual([ofBeta.id]);
  });

  it('adopts a cluster made before installations were recorded when it applies it', async () => {
    const legacy = testCluster('legacy', { hibernated: true });
    await alpha.apply(legacy, runSteps);
    const metaFile = join(clusterDirectory(legacy.id), 'meta.json');
    const { installationId: _, ...withoutInstallation } = readMeta(files.directory, legacy.id);
    writeFileSync(metaFile, JSON.stringify(withoutInstallation));
    expect(await alpha.listClusterIds()).not.toContain(legacy.id);

    await alpha.apply(legacy, runSteps);
    expect(readMeta(files.directory, legacy.id).installationId).toBe('alpha');
    expect(await alpha.listClusterIds()).toContain(legacy.id);
    await alpha.delete(legacy, runSteps);
  });

  it("refuses to apply or delete another installation's cluster", async () => {
    const ofBeta = testCluster('beta-only', { hibernated: true });
    await beta.apply(ofBeta, runSteps);
    await expect(alpha.apply(ofBeta, runSteps)).rejects.toThrow(/another installation/);
    await expect(alpha.delete(ofBeta, runSteps)).rejects.toThrow(/another installation/);
    expect(existsSync(clusterDirectory(ofBeta.id))).toBe(true);
    await beta.delete(ofBeta, runSteps);
    expect(existsSync(clusterDirectory(ofBeta.id))).toBe(false);
  });
});
