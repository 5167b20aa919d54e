import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  connect,
  freePort,
  isRunning,
  localDriverConfig,
  localDriverDirectory,
  serverPids,
  stopServers,
} from '@orochi/test-utils';
import { Client } from 'pg';

jest.setTimeout(180_000);

const packageDir = resolvePackagePath('@orochi/backstage-plugin-orochi-backend');

/** The plugin's dev backend as a real process on a persistent SQLite database, so it can be killed and restarted. */
function startBackend(configFile: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--require', require.resolve('@backstage/cli-node/config/nodeTransform.cjs'), 'dev/index.ts', '--config', configFile],
    { cwd: packageDir, stdio: process.env.OROCHI_TEST_BACKEND_LOG ? 'inherit' : 'ignore', env: { ...process.env, NODE_ENV: 'development' } },
  );
}

describe('a backend killed in the middle of a create', () => {
  const dataDirectory = localDriverDirectory();
  let backend: ChildProcess | undefined;
  afterAll(() => {
    backend?.kill('SIGKILL');
    stopServers(join(dataDirectory, 'driver'));
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('completes the operation after a restart, orphans nothing, and adopts the cluster after a host restart', async () => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}/api/orochi`;
    const configFile = join(dataDirectory, 'app-config.json');
    const config = localDriverConfig(join(dataDirectory, 'driver'), { from: 56300, to: 56599 });
    writeFileSync(
      configFile,
      JSON.stringify({
        backend: {
          baseUrl: `http://localhost:${port}`,
          listen: { port, host: '127.0.0.1' },
          database: { client: 'better-sqlite3', connection: { directory: join(dataDirectory, 'sqlite') } },
        },
        orochi: { ...config.orochi, operations: { ...config.orochi.operations, leaseSeconds: 3 } },
      }),
    );
    const api = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'Content-Type': 'application/json' } });
      return { status: res.status, body: await res.json() };
    };
    const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 50));
      }
    };

    backend = startBackend(configFile);
    await until('the backend', async () => ((await api('/health')).status === 200 ? true : undefined));
    const created = await api('/clusters', {
      method: 'POST',
      body: JSON.stringify({ name: 'crash-db', owner: 'team-payments', instances: 3 }),
    });
    expect(created.status).toBe(202);
    const clusterId: string = created.body.cluster.id;
    const operationId: string = created.body.operation.id;

    // Kill it hard once the primary runs, while the standbys are still being made.
    await until('the primary', async () => {
      const { body } = await api(`/operations/${operationId}`);
      return body.steps.some((s: { name: string; state: string }) => s.name === 'Start primary' && s.state === 'succeeded')
        ? true
        : undefined;
    });
    backend.kill('SIGKILL');
    await new Promise(r => backend!.once('exit', r));

    backend = startBackend(configFile);
    await until('the backend again', async () => ((await api('/health')).status === 200 ? true : undefined));

    const finished = await until('the resumed operation', async () => {
      const { body } = await api(`/operations/${operationId}`);
      return body.state === 'succeeded' || body.state === 'failed' ? body : undefined;
    });
    // A second attempt only runs when the first did not finish: the kill interrupted it.
    expect(finished).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect((await api(`/clusters/${clusterId}`)).body).toMatchObject({ status: 'ready', readyInstances: 3 });

    // The cluster is whole: three instances streaming, reachable with its credentials.
    const credentials = (await api(`/clusters/${clusterId}/credentials`)).body;
    const client: Client = await connect(credentials);
    expect((await client.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'")).rows).toEqual([{ n: 2 }]);
    await client.end();

    // Nothing orphaned: one cluster record, one cluster on disk, and exactly its three servers running.
    expect((await api('/clusters')).body.items.map((c: { id: string }) => c.id)).toEqual([clusterId]);
    expect(readdirSync(join(dataDirectory, 'driver', 'clusters'))).toEqual([clusterId]);
    expect(serverPids(join(dataDirectory, 'driver'), clusterId).filter(isRunning)).toHaveLength(3);
    const instances = join(dataDirectory, 'driver', 'clusters', clusterId, 'instances');
    for (const index of readdirSync(instances)) {
      expect(readdirSync(join(instances, index)).filter(f => f.includes('scratch'))).toEqual([]);
    }

    // The host restarts: backend and servers go down. The backend adopts the cluster and starts its servers.
    const writer = await connect(credentials);
    await writer.query('CREATE TABLE kept (note text)');
    await writer.query(`INSERT INTO kept VALUES ('still here')`);
    await writer.end();
    backend.kill('SIGKILL');
    await new Promise(r => backend!.once('exit', r));
    stopServers(join(dataDirectory, 'driver'));
    await until('the servers to stop', async () =>
      serverPids(join(dataDirectory, 'driver'), clusterId).some(isRunning) ? undefined : true,
    );
    backend = startBackend(configFile);
    await until('the adopted cluster', async () => {
      const reader = await connect(credentials);
      const { rows } = await reader.query('SELECT note FROM kept');
      await reader.end();
      return rows;
    }).then(rows => expect(rows).toEqual([{ note: 'still here' }]));
    const repair = await until('the repair', async () => {
      const [latest] = (await api(`/clusters/${clusterId}/operations`)).body.items;
      return latest.state === 'succeeded' ? latest : undefined;
    });
    expect(repair).toMatchObject({ type: 'wake', requestedBy: 'orochi:reconciler' });

    const deleted = await api(`/clusters/${clusterId}`, { method: 'DELETE' });
    await until('the delete', async () => ((await api(`/operations/${deleted.body.operation.id}`)).body.state === 'succeeded' ? true : undefined));
  });
});
