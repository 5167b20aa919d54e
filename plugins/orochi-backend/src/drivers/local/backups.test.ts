import { serverPids } from '@orochi/test-utils';
import { DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDriver, driverDirectory, runSteps, testCluster, withInstance } from './__testUtils__/localDriverTesting';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(240_000);

/**
 * Backups, point-in-time restores and branches on real servers: one source cluster with known history, copied
 * in every way the driver offers.
 */
describe('local backups and restores', () => {
  const files = driverDirectory();
  let driver: LocalDriver;
  const source = testCluster('pitr-source');
  let session: Client;
  let sourcePid: number;
  let noted: string;
  let firstBackup: Awaited<ReturnType<LocalDriver['backup']>>;

  const rows = (cluster: ReturnType<typeof testCluster>) =>
    withInstance(driver, cluster, 0, async client =>
      (await client.query('SELECT note FROM notes ORDER BY id')).rows.map(row => row.note),
    );
  const backupNow = (id: string) => driver.backup(source, { id, kind: 'manual' }, runSteps);
  /** Restores `target` into a new cluster and converges it as the backend would. */
  async function copy(name: string, target: Parameters<LocalDriver['restore']>[2], ctx: DriverOperationContext = runSteps) {
    const cluster = testCluster(name);
    await driver.restore(cluster, source, target, ctx);
    await driver.apply(cluster, runSteps);
    return cluster;
  }

  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55600, to: 55699 } });
    await driver.apply(source, runSteps);
    [sourcePid] = serverPids(files.directory, source.id);
    const credentials = await driver.readCredentials(source);
    session = new Client(credentials);
    await session.connect();
    await session.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
    firstBackup = await backupNow('first');
    await session.query(`INSERT INTO notes (note) VALUES ('A')`);
    noted = await momentAfterLastCommit(session);
    await session.query(`INSERT INTO notes (note) VALUES ('B')`);
  });

  afterAll(async () => {
    await session?.end().catch(() => undefined);
    files.end();
  });

  it('restores to a moment, and to the latest state, with new credentials, never interrupting the source', async () => {
    expect(firstBackup).toMatchObject({ id: 'first', kind: 'manual', state: 'completed', wal: { start: expect.any(String) } });
    expect(firstBackup.sizeBytes).toBeGreaterThan(1_000_000);
    const window = await driver.recoveryWindow(source);
    expect(Date.parse(window.earliest!)).toBeLessThanOrEqual(Date.parse(noted));
    expect(Date.parse(window.latest!)).toBeGreaterThanOrEqual(Date.parse(noted));

    const atNoted = await copy('pitr-at-a', { type: 'time', time: noted });
    expect(await rows(atNoted)).toEqual(['A']);
    const latest = await copy('pitr-latest', { type: 'latest' });
    expect(await rows(latest)).toEqual(['A', 'B']);

    const sourcePassword = (await driver.readCredentials(source)).password;
    const restored = await driver.readCredentials(latest);
    expect(restored.password).not.toBe(sourcePassword);
    const withSourcePassword = new Client({ ...restored, password: sourcePassword });
    await expect(withSourcePassword.connect()).rejects.toThrow(/password authentication failed/);

    expect(serverPids(files.directory, source.id)).toEqual([sourcePid]);
    expect((await session.query('SELECT count(*)::int AS n FROM notes')).rows).toEqual([{ n: 2 }]);
  });

  it('restores a backup as it was, and refuses a moment the archive cannot reach with the server’s reason', async () => {
    expect(await rows(await copy('pitr-first', { type: 'backup', backupId: 'first' }))).toEqual([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await expect(copy('pitr-future', { type: 'time', time: future })).rejects.toThrow(
      /^Recovery failed: recovery ended before configured recovery target was reached/,
    );
  });

  it('branches the running source as it is now: writable, and diverging from it', async () => {
    const branch = await copy('pitr-branch', { type: 'now' });
    expect(await rows(branch)).toEqual(['A', 'B']);
    await withInstance(driver, branch, 0, client => client.query(`INSERT INTO notes (note) VALUES ('branch')`));
    await session.query(`INSERT INTO notes (note) VALUES ('source')`);
    expect(await rows(branch)).toEqual(['A', 'B', 'branch']);
    expect(await rows(source)).toEqual(['A', 'B', 'source']);
    expect(serverPids(files.directory, source.id)).toEqual([sourcePid]);
  });

  it('finishes a restore that stopped half-way when it is run again', async () => {
    const cluster = testCluster('pitr-resumed');
    const crashAfterCopy: DriverOperationContext = {
      ...runSteps,
      step: async (name, fn) => {
        if (name.startsWith('Recover to')) throw new Error('the backend died');
        return fn();
      },
    };
    await expect(driver.restore(cluster, source, { type: 'latest' }, crashAfterCopy)).rejects.toThrow('the backend died');
    expect(existsSync(join(files.directory, 'clusters', cluster.id, 'instances', '0', 'pgdata', 'recovery.signal'))).toBe(true);
    await driver.restore(cluster, source, { type: 'latest' }, runSteps);
    await driver.apply(cluster, runSteps);
    expect(await rows(cluster)).toEqual(['A', 'B', 'source']);
  });

  it('keeps what the window needs: removes old backups and their WAL, and a restore inside the window still works', async () => {
    await backupNow('second');
    await session.query(`INSERT INTO notes (note) VALUES ('C')`);
    const afterSecond = await momentAfterLastCommit(session);
    await session.query(`INSERT INTO notes (note) VALUES ('D')`);
    await backupNow('third');
    // The first two look ten and nine days old; the retention is seven days.
    backdate('first', 10);
    backdate('second', 9);
    const secondStart = (await driver.listBackups(source)).find(b => b.id === 'second')!.wal!.start;

    expect(await driver.applyBackupRetention({ ...source, spec: { ...source.spec, backups: { ...source.spec.backups, retentionDays: 7 } } })).toEqual(['first']);
    expect((await driver.listBackups(source)).map(b => b.id)).toEqual(['third', 'second']);
    const segments = readdirSync(join(files.directory, 'backups', source.id, 'wal')).filter(f => /^[0-9A-F]{24}$/.test(f));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every(segment => segment >= secondStart)).toBe(true);

    // A moment between the second and third backups comes from the second, with the WAL after it.
    const between = await copy('pitr-between', { type: 'time', time: afterSecond });
    expect(await rows(between)).toEqual(['A', 'B', 'source', 'C']);
  });

  it('keeps a deleted cluster’s backups, out of the orphan list, until the purge after the grace period', async () => {
    const doomed = testCluster('pitr-doomed');
    await driver.apply(doomed, runSteps);
    await driver.backup(doomed, { id: 'only', kind: 'scheduled' }, runSteps);
    await driver.delete(doomed, runSteps);
    expect((await driver.listBackups(doomed)).map(b => b.id)).toEqual(['only']);
    expect(await driver.listClusterIds()).not.toContain(doomed.id);
    expect(await driver.purgeDeletedClusterBackups(new Date(Date.now() - 60_000))).toEqual([]);
    expect(await driver.purgeDeletedClusterBackups(new Date(Date.now() + 1000))).toEqual([doomed.id]);
    expect(await driver.listBackups(doomed)).toEqual([]);
    // A live cluster's backups are never purged.
    expect((await driver.listBackups(source)).length).toBeGreaterThan(0);
  });

  /**
   * A moment after every commit so far and before any later one, in the milliseconds an API time has: the server's
   * clock once it is past the millisecond of the last commit.
   */
  async function momentAfterLastCommit(client: Client): Promise<string> {
    await client.query('SELECT pg_sleep(0.002)');
    return (await client.query('SELECT now() AS at')).rows[0].at.toISOString();
  }

  /** Rewrites a backup's recorded times as if it were `days` old. */
  function backdate(backupId: string, days: number) {
    const file = join(files.directory, 'backups', source.id, 'base', backupId, 'backup.json');
    const record = JSON.parse(readFileSync(file, 'utf8'));
    const at = new Date(Date.now() - days * 86_400_000).toISOString();
    writeFileSync(file, JSON.stringify({ ...record, startedAt: at, finishedAt: at, recoverableFrom: at }));
  }
});
