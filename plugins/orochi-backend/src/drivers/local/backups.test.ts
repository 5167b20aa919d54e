import { DriverBackup } from '@orochi/backstage-plugin-orochi-node';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { momentAfterLastCommit, notes, restoreInto } from './__testUtils__/backupTesting';
import {
  createTestDriver,
  driverDirectory,
  runSteps,
  testCluster,
  withInstance,
  withSpec,
} from './__testUtils__/localDriverTesting';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(240_000);

/** Base backups, retention and a deleted cluster's kept backups, on real servers. */
describe('local backups', () => {
  const files = driverDirectory();
  let driver: LocalDriver;
  const source = testCluster('backups-source');
  let session: Client;
  let first: DriverBackup;

  const backupDirectory = (clusterId: string, backupId: string) =>
    join(files.directory, 'backups', clusterId, 'base', backupId);
  const backupNow = (id: string) => driver.backup(source, { id, kind: 'manual' }, runSteps);

  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55600, to: 55699 } });
    await driver.apply(source, runSteps);
    session = new Client(await driver.readCredentials(source));
    await session.connect();
    await session.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
    await session.query(`INSERT INTO notes (note) VALUES ('A')`);
  });

  afterAll(async () => {
    await session?.end().catch(() => undefined);
    await files.end();
  });

  it('takes a backup once per id, and takes one that a crash interrupted again', async () => {
    first = await backupNow('first');
    expect(first).toMatchObject({ id: 'first', kind: 'manual', state: 'completed', wal: { start: expect.any(String) } });
    expect(first.sizeBytes).toBeGreaterThan(1_000_000);
    expect(Date.parse(first.recoverableFrom!)).toBeGreaterThanOrEqual(Date.parse(first.startedAt));
    expect(await backupNow('first')).toEqual(first);

    // What a backend killed during pg_basebackup leaves: a running record and a half-written scratch copy.
    const crashed = backupDirectory(source.id, 'second');
    mkdirSync(join(crashed, 'data.scratch-dead'), { recursive: true });
    writeFileSync(
      join(crashed, 'backup.json'),
      JSON.stringify({ id: 'second', kind: 'scheduled', state: 'running', startedAt: new Date().toISOString() }),
    );
    expect((await driver.listBackups(source)).map(b => [b.id, b.state])).toEqual([
      ['second', 'running'],
      ['first', 'completed'],
    ]);
    await session.query(`INSERT INTO notes (note) VALUES ('B')`);
    expect(await driver.backup(source, { id: 'second', kind: 'scheduled' }, runSteps)).toMatchObject({ state: 'completed' });
    expect(readdirSync(crashed).sort()).toEqual(['backup.json', 'data']);

    expect(await driver.recoveryWindow(source)).toEqual({ earliest: first.recoverableFrom, latest: expect.any(String) });
  });

  it('keeps what the window needs: removes old backups and their WAL, and a restore inside the window still works', async () => {
    await session.query(`INSERT INTO notes (note) VALUES ('C')`);
    const afterSecond = await momentAfterLastCommit(session);
    await session.query(`INSERT INTO notes (note) VALUES ('D')`);
    await backupNow('third');
    // The first two look ten and nine days old; the retention is seven days.
    backdate('first', 10);
    const second = backdate('second', 9);

    const retention = { ...source.spec.backups, retentionDays: 7 };
    expect(await driver.applyBackupRetention(withSpec(source, { backups: retention }))).toEqual(['first']);
    expect((await driver.listBackups(source)).map(b => b.id)).toEqual(['third', 'second']);
    expect((await driver.recoveryWindow(source)).earliest).toBe(second.recoverableFrom);
    const archive = join(files.directory, 'backups', source.id, 'wal');
    const segments = readdirSync(archive).filter(f => /^[0-9A-F]{24}$/.test(f));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every(segment => segment >= second.wal!.start)).toBe(true);
    expect(segments).toContain(second.wal!.start);

    // A moment between the second and third backups comes from the second, with the WAL after it.
    const between = await restoreInto(driver, source, 'backups-between', { type: 'time', time: afterSecond });
    expect(await notes(driver, between)).toEqual(['A', 'B', 'C']);
  });

  it('refuses a hibernated cluster, and keeps a deleted one’s backups, restorable, until the purge', async () => {
    const doomed = testCluster('backups-doomed');
    await driver.apply(doomed, runSteps);
    await withInstance(driver, doomed, 0, client => client.query('CREATE TABLE notes (id serial PRIMARY KEY, note text)'));
    await driver.backup(doomed, { id: 'only', kind: 'scheduled' }, runSteps);
    await withInstance(driver, doomed, 0, client => client.query(`INSERT INTO notes (note) VALUES ('last words')`));
    const lastMoment = await withInstance(driver, doomed, 0, momentAfterLastCommit);

    await driver.apply(withSpec(doomed, { hibernated: true }), runSteps);
    await expect(driver.backup(doomed, { id: 'asleep', kind: 'scheduled' }, runSteps)).rejects.toThrow(/not running/);
    await driver.delete(doomed, runSteps);
    expect((await driver.listBackups(doomed)).map(b => b.id)).toEqual(['only']);
    expect(await driver.listClusterIds()).not.toContain(doomed.id);
    expect(existsSync(join(files.directory, 'clusters', doomed.id))).toBe(false);

    // Its clean shutdown archived all it wrote: a moment after its last commit (no transaction ends after it in
    // the archive) is inside the window and restorable.
    const window = await driver.recoveryWindow(doomed);
    expect(Date.parse(window.latest!)).toBeGreaterThanOrEqual(Date.parse(lastMoment));
    const revived = await restoreInto(driver, doomed, 'backups-revived', { type: 'time', time: lastMoment });
    expect(await notes(driver, revived)).toEqual(['last words']);

    expect(await driver.purgeDeletedClusterBackups(new Date(Date.now() - 60_000))).toEqual([]);
    expect(await driver.purgeDeletedClusterBackups(new Date(Date.now() + 1000))).toEqual([doomed.id]);
    expect(await driver.listBackups(doomed)).toEqual([]);
    expect(existsSync(join(files.directory, 'backups', doomed.id))).toBe(false);
    // Live clusters' backups are never purged.
    expect((await driver.listBackups(source)).length).toBeGreaterThan(0);
    expect((await driver.listBackups(revived)).length).toBe(0);
    expect(existsSync(join(files.directory, 'backups', revived.id, 'wal'))).toBe(true);
  });

  /** Rewrites a backup's recorded times as if it were `days` old; answers the rewritten record. */
  function backdate(backupId: string, days: number): DriverBackup {
    const file = join(backupDirectory(source.id, backupId), 'backup.json');
    const at = new Date(Date.now() - days * 86_400_000).toISOString();
    const record = { ...JSON.parse(readFileSync(file, 'utf8')), startedAt: at, finishedAt: at, recoverableFrom: at };
    writeFileSync(file, JSON.stringify(record));
    return record;
  }
});
