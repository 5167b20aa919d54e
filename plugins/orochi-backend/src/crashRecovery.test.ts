import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  connect,
  createDevBackend,
  DevBackend,
  eventually,
  isRunning,
  localDriverConfig,
  localDriverDirectory,
  serverPids,
  stopServers,
} from '@orochi/test-utils';
import { Client } from 'pg';

jest.setTimeout(180_000);

describe('a backend killed in the middle of a create', () => {
  const dataDirectory = localDriverDirectory();
  const driverDirectory = join(dataDirectory, 'driver');
  let backend: DevBackend;
  afterAll(async () => {
    await backend?.kill('SIGKILL');
    stopServers(driverDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('completes the operation after a restart, orphans nothing, and adopts the cluster after a host restart', async () => {
    const config = localDriverConfig(driverDirectory, { from: 56300, to: 56599 });
    backend = await createDevBackend({
      directory: dataDirectory,
      // Long enough that a busy machine never lets a live run's lease lapse (that would be a third attempt), short
      // enough that the restarted backend soon claims what the killed one held.
      orochi: { ...config.orochi, operations: { ...config.orochi.operations, leaseSeconds: 10 } },
    });
    const { api } = backend;

    await backend.start();
    const created = await api('/clusters', {
      method: 'POST',
      body: JSON.stringify({ name: 'crash-db', owner: 'team-payments', instances: 3 }),
    });
    expect(created.status).toBe(202);
    const clusterId: string = created.body.cluster.id;
    const operationId: string = created.body.operation.id;

    // Kill it hard once the primary runs, while the standbys are still being made.
    await eventually('the primary', async () => {
      const { body } = await api(`/operations/${operationId}`);
      return body.steps.some((s: { name: string; state: string }) => s.name === 'Start primary' && s.state === 'succeeded')
        ? true
        : undefined;
    });
    await backend.kill('SIGKILL');
    await backend.start();

    const finished = await eventually('the resumed operation', async () => {
      const { body } = await api(`/operations/${operationId}`);
      return body.state === 'succeeded' || body.state === 'failed' ? body : undefined;
    });
    // A second attempt only runs when the first did not finish: the kill interrupted it.
    const failedSteps = finished.steps.filter((s: { state: string }) => s.state === 'failed');
    expect({ state: finished.state, attempts: finished.attempts, failedSteps }).toEqual({ state: 'succeeded', attempts: 2, failedSteps: [] });
    expect((await api(`/clusters/${clusterId}`)).body).toMatchObject({ status: 'ready', readyInstances: 3 });

    // The cluster is whole: three instances streaming, reachable with its credentials.
    const credentials = (await api(`/clusters/${clusterId}/credentials`)).body;
    const client: Client = await connect(credentials);
    expect((await client.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'")).rows).toEqual([{ n: 2 }]);
    await client.end();

    // Nothing orphaned: one cluster record, one cluster on disk, and exactly its three servers running.
    expect((await api('/clusters')).body.items.map((c: { id: string }) => c.id)).toEqual([clusterId]);
    expect(readdirSync(join(driverDirectory, 'clusters'))).toEqual([clusterId]);
    expect(serverPids(driverDirectory, clusterId).filter(isRunning)).toHaveLength(3);
    const instances = join(driverDirectory, 'clusters', clusterId, 'instances');
    for (const index of readdirSync(instances)) {
      expect(readdirSync(join(instances, index)).filter(f => f.includes('scratch'))).toEqual([]);
    }

    // The host restarts: backend and servers go down. The backend adopts the cluster and starts its servers.
    const writer = await connect(credentials);
    await writer.query('CREATE TABLE kept (note text)');
    await writer.query(`INSERT INTO kept VALUES ('still here')`);
    await writer.end();
    await backend.kill('SIGKILL');
    stopServers(driverDirectory);
    await eventually('the servers to stop', async () =>
      serverPids(driverDirectory, clusterId).some(isRunning) ? undefined : true,
    );
    await backend.start();
    await eventually('the adopted cluster', async () => {
      const reader = await connect(credentials);
      const { rows } = await reader.query('SELECT note FROM kept');
      await reader.end();
      return rows;
    }).then(rows => expect(rows).toEqual([{ note: 'still here' }]));
    const repair = await eventually('the repair', async () => {
      const [latest] = (await api(`/clusters/${clusterId}/operations`)).body.items;
      return latest.state === 'succeeded' ? latest : undefined;
    });
    expect(repair).toMatchObject({ type: 'wake', requestedBy: 'orochi:reconciler' });

    const deleted = await api(`/clusters/${clusterId}`, { method: 'DELETE' });
    await eventually('the delete', async () => ((await api(`/operations/${deleted.body.operation.id}`)).body.state === 'succeeded' ? true : undefined));
  });
});

describe('a backend killed in the middle of a restore', () => {
  const dataDirectory = localDriverDirectory();
  const driverDirectory = join(dataDirectory, 'driver');
  let backend: DevBackend;
  afterAll(async () => {
    await backend?.kill('SIGKILL');
    stopServers(driverDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('finishes the restore after a restart and orphans nothing', async () => {
    const config = localDriverConfig(driverDirectory, { from: 57300, to: 57599 });
    backend = await createDevBackend({
      directory: dataDirectory,
      // Long enough that a busy machine never lets a live run's lease lapse (that would be a third attempt), short
      // enough that the restarted backend soon claims what the killed one held.
      orochi: { ...config.orochi, operations: { ...config.orochi.operations, leaseSeconds: 10 } },
    });
    const { api } = backend;
    const succeeded = (operationId: string) =>
      eventually(`operation ${operationId}`, async () => {
        const { body } = await api(`/operations/${operationId}`);
        return body.state === 'succeeded' || body.state === 'failed' ? body : undefined;
      });

    await backend.start();
    const created = await api('/clusters', { method: 'POST', body: JSON.stringify({ name: 'source-db', owner: 'team-payments' }) });
    expect(await succeeded(created.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const sourceId: string = created.body.cluster.id;
    const source: Client = await connect((await api(`/clusters/${sourceId}/credentials`)).body);
    // Enough data that the restore takes a while to copy and replay.
    await source.query('CREATE TABLE filler AS SELECT g AS id, repeat(md5(g::text), 20) AS pad FROM generate_series(1, 100000) g');
    const backup = await api(`/clusters/${sourceId}/backups`, { method: 'POST' });
    expect(await succeeded(backup.body.operation.id)).toMatchObject({ state: 'succeeded' });
    await source.query(`CREATE TABLE kept AS SELECT 'after the backup' AS note`);
    await source.end();

    const restore = await api(`/clusters/${sourceId}/restore`, { method: 'POST', body: JSON.stringify({ name: 'restored-db' }) });
    expect(restore.status).toBe(202);
    const restoredId: string = restore.body.cluster.id;
    await eventually('the restore to start', async () => {
      const { body } = await api(`/operations/${restore.body.operation.id}`);
      return body.state === 'running' && body.steps.length > 0 ? true : undefined;
    }, 60_000);
    await backend.kill('SIGKILL');
    await backend.start();

    const finished = await succeeded(restore.body.operation.id);
    // A second attempt only runs when the first did not finish: the kill interrupted it.
    expect(finished).toMatchObject({ state: 'succeeded', type: 'restore', attempts: 2 });
    expect((await api(`/clusters/${restoredId}`)).body).toMatchObject({ status: 'ready', parent: { kind: 'restore', clusterId: sourceId } });
    const restored: Client = await connect((await api(`/clusters/${restoredId}/credentials`)).body);
    expect((await restored.query('SELECT count(*)::int AS n FROM filler')).rows).toEqual([{ n: 100000 }]);
    expect((await restored.query('SELECT note FROM kept')).rows).toEqual([{ note: 'after the backup' }]);
    await restored.end();

    // Nothing orphaned: two cluster records, two clusters on disk, one server each, no scratch copies.
    const ids = (await api('/clusters')).body.items.map((c: { id: string }) => c.id).sort();
    expect(ids).toEqual([sourceId, restoredId].sort());
    expect(readdirSync(join(driverDirectory, 'clusters')).sort()).toEqual(ids);
    for (const id of ids) {
      expect(serverPids(driverDirectory, id).filter(isRunning)).toHaveLength(1);
      expect(readdirSync(join(driverDirectory, 'clusters', id, 'instances', '0')).filter(f => f.includes('scratch'))).toEqual([]);
    }
    expect((await api('/orphans')).body).toEqual({ items: [] });
  });
});
