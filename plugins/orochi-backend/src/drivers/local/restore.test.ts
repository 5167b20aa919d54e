import { eventually, serverPids } from '@orochi/test-utils';
import { DriverBackup, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { momentAfterLastCommit, notes, restoreInto } from './__testUtils__/backupTesting';
import { createTestDriver, driverDirectory, runSteps, testCluster, withInstance } from './__testUtils__/localDriverTesting';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(240_000);

/**
 * Point-in-time restores and branches on real servers: one running source with known history (a backup, then
 * row A, a noted moment, row B), copied in every way the driver offers while a session on it stays open.
 */
describe('local restores and branches', () => {
  const files = driverDirectory();
  let driver: LocalDriver;
  const source = testCluster('restore-source');
  let session: Client;
  let sourcePid: number;
  let noted: string;
  let firstBackup: DriverBackup;

  const sourceUninterrupted = async () => {
    expect(serverPids(files.directory, source.id)).toEqual([sourcePid]);
    expect((await session.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  };

  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55700, to: 55799 } });
    await driver.apply(source, runSteps);
    [sourcePid] = serverPids(files.directory, source.id);
    session = new Client(await driver.readCredentials(source));
    await session.connect();
    await session.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
    firstBackup = await driver.backup(source, { id: 'first', kind: 'manual' }, runSteps);
    await session.query(`INSERT INTO notes (note) VALUES ('A')`);
    noted = await momentAfterLastCommit(session);
    await session.query(`INSERT INTO notes (note) VALUES ('B')`);
  });

  afterAll(async () => {
    await session?.end().catch(() => undefined);
    await files.end();
  });

  it('restores to a moment, and to the latest state, with its own password, never interrupting the source', async () => {
    const window = await driver.recoveryWindow(source);
    expect(window.earliest).toBe(firstBackup.recoverableFrom);
    expect(Date.parse(window.earliest!)).toBeLessThanOrEqual(Date.parse(noted));
    expect(Date.parse(window.latest!)).toBeGreaterThanOrEqual(Date.parse(noted));

    const atNoted = await restoreInto(driver, source, 'restore-at-a', { type: 'time', time: noted });
    expect(await notes(driver, atNoted)).toEqual(['A']);
    const latest = await restoreInto(driver, source, 'restore-latest', { type: 'latest' });
    expect(await notes(driver, latest)).toEqual(['A', 'B']);

    // Its own credentials file and password: the source's password is refused, its own accepted.
    const sourcePassword = (await driver.readCredentials(source)).password;
    const restored = await driver.readCredentials(latest);
    expect(restored.password).not.toBe(sourcePassword);
    await expect(new Client({ ...restored, password: sourcePassword }).connect()).rejects.toThrow(
      /password authentication failed/,
    );
    expect(await withInstance(driver, latest, 0, async client => (await client.query('SELECT 1 AS one')).rows)).toEqual([
      { one: 1 },
    ]);
    // It archives into its own archive, and the source's archive gets nothing of it (no timeline of its own).
    const archive = (id: string) => join(files.directory, 'backups', id, 'wal');
    await eventually('the new timeline in the restored cluster’s archive', async () =>
      existsSync(join(archive(latest.id), '00000002.history')) || undefined,
    );
    expect(existsSync(join(archive(source.id), '00000002.history'))).toBe(false);
    await sourceUninterrupted();
  });

  it('restores a backup as it was, and refuses a moment the archive cannot reach with the server’s reason', async () => {
    expect(await notes(driver, await restoreInto(driver, source, 'restore-first', { type: 'backup', backupId: 'first' }))).toEqual(
      [],
    );
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await expect(restoreInto(driver, source, 'restore-future', { type: 'time', time: future })).rejects.toThrow(
      /^Recovery failed: recovery ended before configured recovery target was reached/,
    );
    await sourceUninterrupted();
  });

  it('branches the running source as it is now: writable, and diverging from it', async () => {
    const branch = await restoreInto(driver, source, 'restore-branch', { type: 'now' });
    expect(await notes(driver, branch)).toEqual(['A', 'B']);
    expect((await driver.readCredentials(branch)).password).not.toBe((await driver.readCredentials(source)).password);
    await withInstance(driver, branch, 0, client => client.query(`INSERT INTO notes (note) VALUES ('branch')`));
    await session.query(`INSERT INTO notes (note) VALUES ('source')`);
    expect(await notes(driver, branch)).toEqual(['A', 'B', 'branch']);
    expect(await notes(driver, source)).toEqual(['A', 'B', 'source']);
    await sourceUninterrupted();
  });

  it('copies a running source again when the host may have lost the unsynced copy before its first start', async () => {
    const branch = testCluster('restore-unsynced');
    await driver.restore(branch, source, { type: 'now' }, runSteps);
    const pgdata = join(files.directory, 'clusters', branch.id, 'instances', '0', 'pgdata');
    const marker = join(pgdata, 'orochi-unsynced-copy');
    expect(existsSync(marker)).toBe(true);
    // What a host crash before the first start may leave: a copy missing files.
    rmSync(join(pgdata, 'global', 'pg_control'));
    await driver.restore(branch, source, { type: 'now' }, runSteps);
    await driver.apply(branch, runSteps);
    expect(existsSync(marker)).toBe(false);
    expect(await notes(driver, branch)).toEqual(expect.arrayContaining(['A', 'B']));
    await driver.delete(branch, runSteps);
    await sourceUninterrupted();
  });

  it('finishes a restore interrupted while its server recovers, to a moment after the last commit', async () => {
    // Nothing commits on the source after this moment: recovery must still reach it.
    await session.query(`INSERT INTO notes (note) VALUES ('last')`);
    const quiet = await momentAfterLastCommit(session);
    const expected = await notes(driver, source);
    const cluster = testCluster('restore-resumed');
    const backend = new AbortController();
    const dying: DriverOperationContext = {
      signal: backend.signal,
      step: async (name, fn) => {
        // The backend dies once the server is recovering: the server runs on, detached.
        if (name.startsWith('Recover to')) setImmediate(() => backend.abort(new Error('the backend died')));
        return fn();
      },
    };
    await expect(driver.restore(cluster, source, { type: 'time', time: quiet }, dying)).rejects.toThrow('the backend died');
    expect(existsSync(join(files.directory, 'clusters', cluster.id, 'instances', '0', 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(serverPids(files.directory, cluster.id)).toHaveLength(1);

    await driver.restore(cluster, source, { type: 'time', time: quiet }, runSteps);
    await driver.apply(cluster, runSteps);
    expect(await notes(driver, cluster)).toEqual(expected);
    expect(expected.at(-1)).toBe('last');
    await sourceUninterrupted();
  });
});
