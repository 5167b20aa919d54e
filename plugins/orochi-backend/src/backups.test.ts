import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { connect, eventually, localDriverDirectory, serverPids, stopServers, waitForOperation } from '@orochi/test-utils';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client } from 'pg';
import request from 'supertest';
import { startLocalBackend } from './__testUtils__/localBackend';

jest.setTimeout(300_000);

/**
 * Backups, point-in-time restore and branches through the API, on real PostgreSQL servers of the local driver:
 * what a developer sees, from "Back up now" to a branch the expiry job deletes.
 */
describe('backups, restores and branches through the API', () => {
  const dataDirectory = localDriverDirectory();
  const auditor = mockServices.auditor.mock();
  const notifications = { send: jest.fn(async () => undefined) };
  let scheduler: Awaited<ReturnType<typeof startLocalBackend>>['scheduler'];
  let server: Server;
  let api: string;
  const opened: Client[] = [];

  beforeAll(async () => {
    ({ server, api, scheduler } = await startLocalBackend({
      dataDirectory,
      ports: { from: 57000, to: 57299 },
      features: [auditor.factory, createServiceFactory({ service: notificationService, deps: {}, factory: () => notifications })],
    }));
  });

  afterAll(async () => {
    await Promise.all(opened.map(client => client.end().catch(() => undefined)));
    stopServers(dataDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const call = () => request(api);

  /** Waits for a change's operation to succeed and connects to its cluster with revealed credentials. */
  async function readyAndConnected(change: request.Response): Promise<{ id: string; client: Client }> {
    expect(change.status).toBe(202);
    const operation = await waitForOperation(server, change.body.operation.id);
    expect(operation).toMatchObject({ state: 'succeeded' });
    const id: string = change.body.cluster.id;
    const client = await connect((await call().get(`/clusters/${id}/credentials`)).body);
    // Deleting a cluster ends its sessions; that is not the test's failure.
    client.on('error', () => undefined);
    opened.push(client);
    return { id, client };
  }

  const rows = async (client: Client) =>
    (await client.query('SELECT note FROM notes ORDER BY id')).rows.map(row => row.note);

  it('restores to a moment and to the latest state without interrupting the source, and branches diverge and expire', async () => {
    const source = await readyAndConnected(
      await call().post('/clusters').send({ name: 'pitr-db', owner: 'team-payments' }),
    );
    await source.client.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
    const sourcePids = serverPids(dataDirectory, source.id);

    const backup = await call().post(`/clusters/${source.id}/backups`);
    expect(backup.status).toBe(202);
    expect(backup.body.operation).toMatchObject({ type: 'backup', parameters: { kind: 'manual' } });
    expect(await waitForOperation(server, backup.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const listed = await call().get(`/clusters/${source.id}/backups`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: backup.body.operation.parameters.backupId, kind: 'manual', state: 'completed' }),
    ]);

    await source.client.query(`INSERT INTO notes (note) VALUES ('A')`);
    // A moment in the milliseconds the API takes, after A's commit and before B's.
    await source.client.query('SELECT pg_sleep(0.002)');
    const noted: string = (await source.client.query('SELECT now() AS at')).rows[0].at.toISOString();
    await source.client.query(`INSERT INTO notes (note) VALUES ('B')`);

    const window = (await call().get(`/clusters/${source.id}/recovery-window`)).body;
    expect(Date.parse(window.earliest)).toBeLessThanOrEqual(Date.parse(noted));
    expect(Date.parse(window.latest)).toBeGreaterThanOrEqual(Date.parse(noted));

    const tooEarly = await call().post(`/clusters/${source.id}/restore`).send({ name: 'too-early', targetTime: '2020-01-01T00:00:00Z' });
    expect(tooEarly.status).toBe(400);
    expect(tooEarly.body.error.message).toMatch(/^targetTime: must be inside the recovery window, from \S+ to \S+$/);

    const atNoted = await call().post(`/clusters/${source.id}/restore`).send({ name: 'pitr-at-a', targetTime: noted });
    expect(atNoted.body.cluster).toMatchObject({ status: 'restoring', parent: { kind: 'restore', targetTime: noted } });
    const restoredAtA = await readyAndConnected(atNoted);
    expect(await rows(restoredAtA.client)).toEqual(['A']);

    const latest = await readyAndConnected(await call().post(`/clusters/${source.id}/restore`).send({ name: 'pitr-latest' }));
    expect(await rows(latest.client)).toEqual(['A', 'B']);

    // The source ran throughout, on the same servers, and its session still works.
    expect(serverPids(dataDirectory, source.id)).toEqual(sourcePids);
    expect(await rows(source.client)).toEqual(['A', 'B']);

    // A branch now is writable and diverges from its parent.
    const branchRequest = () =>
      call().post(`/clusters/${source.id}/branches`).set('Idempotency-Key', 'ci-run-7').send({ name: 'pitr-db-pr-7', ttlHours: 1 });
    const branchChange = await branchRequest();
    expect(branchChange.body.cluster).toMatchObject({ parent: { kind: 'branch', clusterId: source.id } });
    // A retried request (a CI job run again, say) answers the branch the first one made.
    const retried = await branchRequest();
    expect(retried.status).toBe(202);
    expect(retried.body.operation.id).toBe(branchChange.body.operation.id);
    expect(retried.body.cluster.id).toBe(branchChange.body.cluster.id);
    const branch = await readyAndConnected(branchChange);
    await branch.client.query(`INSERT INTO notes (note) VALUES ('on the branch')`);
    await source.client.query(`INSERT INTO notes (note) VALUES ('on the parent')`);
    expect(await rows(branch.client)).toEqual(['A', 'B', 'on the branch']);
    expect(await rows(source.client)).toEqual(['A', 'B', 'on the parent']);
    expect((await call().get(`/clusters/${source.id}/branches`)).body.items.map((b: { name: string }) => b.name)).toEqual([
      'pitr-db-pr-7',
    ]);

    const refused = await call().delete(`/clusters/${source.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('Cluster pitr-db has branches (pitr-db-pr-7); delete or detach them first');

    // Shortened to expire in a moment, the branch is warned about, then deleted by the expiry job.
    const soon = new Date(Date.now() + 2000).toISOString();
    const shortened = await call().patch(`/clusters/${branch.id}`).send({ expiresAt: soon });
    expect(await waitForOperation(server, shortened.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const deletion = await eventually('the expiry job to delete the branch', async () => {
      await scheduler.triggerTask('orochi-branch-expiry');
      const { body } = await call().get(`/clusters/${branch.id}/operations`);
      return body.items?.find((o: { type: string }) => o.type === 'delete');
    });
    expect(deletion).toMatchObject({ requestedBy: 'orochi:branch-expiry', reason: `the branch expired at ${soon}` });
    expect(await waitForOperation(server, deletion.id)).toMatchObject({ state: 'succeeded' });
    expect((await call().get(`/clusters/${branch.id}`)).status).toBe(404);
    expect(notifications.send.mock.calls.map(([sent]: any) => sent.payload.title)).toEqual([
      `Branch pitr-db-pr-7 expires at ${soon}`,
      'Branch pitr-db-pr-7 expired and was deleted',
    ]);

    const audited = auditor.createEvent.mock.calls.map(([event]) => event.eventId);
    expect(audited).toEqual(expect.arrayContaining(['cluster-backup', 'cluster-restore', 'cluster-branch-create']));

    for (const id of [restoredAtA.id, latest.id, source.id]) {
      const deleted = await call().delete(`/clusters/${id}`);
      expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
    }
  });

  it('restores a deleted cluster from its kept backups, under its old name', async () => {
    const doomed = await readyAndConnected(await call().post('/clusters').send({ name: 'kept-db', owner: 'team-payments' }));
    await doomed.client.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
    await doomed.client.query(`INSERT INTO notes (note) VALUES ('before the backup')`);
    const backup = await call().post(`/clusters/${doomed.id}/backups`);
    expect(await waitForOperation(server, backup.body.operation.id)).toMatchObject({ state: 'succeeded' });
    await doomed.client.query(`INSERT INTO notes (note) VALUES ('after the backup')`);
    const deletion = await call().delete(`/clusters/${doomed.id}`);
    expect(await waitForOperation(server, deletion.body.operation.id)).toMatchObject({ state: 'succeeded' });
    expect((await call().get(`/clusters/${doomed.id}`)).status).toBe(404);

    const { body } = await call().get('/deleted-clusters');
    const kept = body.items.find((d: { cluster: { id: string } }) => d.cluster.id === doomed.id);
    expect(kept).toMatchObject({ cluster: { name: 'kept-db', owner: 'group:default/team-payments' }, deletedBy: 'user:default/mock' });
    // orochi.backups.deletedClusterRetention defaults to 7 days.
    expect(Date.parse(kept.backupsKeptUntil) - Date.parse(kept.deletedAt)).toBe(7 * 24 * 3_600_000);
    expect(Date.parse(kept.recoveryWindow.earliest)).toBeLessThan(Date.parse(kept.deletedAt));

    const now = await call().post(`/deleted-clusters/${doomed.id}/restore`).send({ name: 'kept-db', targetTime: '2020-01-01T00:00:00Z' });
    expect(now.status).toBe(400);
    expect(now.body.error.message).toMatch(/^targetTime: must be inside the recovery window/);
    expect((await call().post('/deleted-clusters/no-such-cluster/restore').send({ name: 'kept-db' })).status).toBe(404);

    // Its latest archived state: a delete archives the last WAL before the servers stop.
    const change = await call().post(`/deleted-clusters/${doomed.id}/restore`).send({ name: 'kept-db' });
    expect(change.body.cluster).toMatchObject({ name: 'kept-db', status: 'restoring', parent: { kind: 'restore', clusterId: doomed.id } });
    const restored = await readyAndConnected(change);
    expect(restored.id).not.toBe(doomed.id);
    expect(await rows(restored.client)).toEqual(['before the backup', 'after the backup']);
    expect(auditor.createEvent.mock.calls.map(([event]) => event.eventId)).toContain('cluster-restore-deleted');

    const cleanup = await call().delete(`/clusters/${restored.id}`);
    expect(await waitForOperation(server, cleanup.body.operation.id)).toMatchObject({ state: 'succeeded' });
  });
});
