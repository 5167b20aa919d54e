import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
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

jest.setTimeout(300_000);

/**
 * Holds a stopped server's next start: its pg_ident.conf becomes a FIFO, which the postmaster opens after it has
 * written postmaster.pid and before it accepts connections, and blocks on until the answered release writes the
 * file's content. This gives the test a wake that stays in "Start primary" for as long as it needs.
 */
function holdNextStart(pgdata: string): () => Promise<void> {
  const path = join(pgdata, 'pg_ident.conf');
  const content = readFileSync(path);
  const { uid, gid } = statSync(pgdata);
  const fifo = `${path}.held`;
  execFileSync('mkfifo', ['-m', '600', fifo]);
  chownSync(fifo, uid, gid);
  renameSync(fifo, path);
  return async () => {
    await writeFile(path, content);
    // A regular file again, so a later reload does not block the server.
    const file = `${path}.released`;
    writeFileSync(file, content, { mode: 0o600 });
    chownSync(file, uid, gid);
    renameSync(file, path);
  };
}

/** Postmasters working in a data directory, whatever its postmaster.pid says: a second start would show here. */
function postmastersIn(pgdata: string): number[] {
  const directory = realpathSync(pgdata);
  return readdirSync('/proc')
    .filter(entry => /^\d+$/.test(entry))
    .map(Number)
    .filter(pid => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
        return basename(command) === 'postgres' && readlinkSync(`/proc/${pid}/cwd`) === directory && isRunning(pid);
      } catch {
        return false;
      }
    });
}

describe('a backend killed in the middle of a wake on connect', () => {
  const dataDirectory = localDriverDirectory();
  const driverDirectory = join(dataDirectory, 'driver');
  let backend: DevBackend;
  afterAll(async () => {
    await backend?.kill('SIGKILL');
    stopServers(driverDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('drops the held client, then finishes the wake after a restart with the server the killed backend started', async () => {
    const config = localDriverConfig(driverDirectory, { from: 60000, to: 60299 });
    backend = await createDevBackend({
      directory: dataDirectory,
      orochi: {
        ...config.orochi,
        operations: { ...config.orochi.operations, leaseSeconds: 3 },
        // Sampled and looked at every second, the cluster is suspended soon after its idle minute.
        metrics: { schedule: { frequency: { seconds: 1 }, timeout: { minutes: 1 } } },
        scaleToZero: { schedule: { frequency: { seconds: 1 }, timeout: { minutes: 1 } } },
      },
    });
    const { api } = backend;
    const finished = (operationId: string) =>
      eventually(`operation ${operationId}`, async () => {
        const { body } = await api(`/operations/${operationId}`);
        return body.state === 'succeeded' || body.state === 'failed' ? body : undefined;
      });

    await backend.start();
    const created = await api('/clusters', {
      method: 'POST',
      body: JSON.stringify({ name: 'sleepy-db', owner: 'team-payments', scaleToZero: { enabled: true, idleMinutes: 1 } }),
    });
    expect(await finished(created.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const clusterId: string = created.body.cluster.id;
    const credentials = (await api(`/clusters/${clusterId}/credentials`)).body;
    await eventually(
      'the idle job to suspend the cluster',
      async () => ((await api(`/clusters/${clusterId}`)).body.status === 'suspended' ? true : undefined),
      180_000,
    );

    // A client on the unchanged address wakes it; the server's start is held, so the wake stays in "Start primary".
    const pgdata = join(driverDirectory, 'clusters', clusterId, 'instances', '0', 'pgdata');
    const release = holdNextStart(pgdata);
    // Longer than the whole test may wait, so a hang fails as a timeout, not as the error the test expects.
    const held = new Client({ connectionString: credentials.uri, connectionTimeoutMillis: 600_000 });
    const heldOutcome = held.connect().then(
      () => 'connected',
      (error: Error) => error.message,
    );
    const wake = await eventually('the wake to start the server', async () => {
      const [latest] = (await api(`/clusters/${clusterId}/operations`)).body.items;
      const starting = latest?.type === 'wake' && latest.steps.some((s: { name: string; state: string }) => s.name === 'Start primary' && s.state === 'running');
      return starting && serverPids(driverDirectory, clusterId).some(isRunning) ? latest : undefined;
    });
    expect(wake).toMatchObject({ requestedBy: 'orochi:wake-on-connect', state: 'running', attempts: 1 });
    const [server] = serverPids(driverDirectory, clusterId);

    // The proxy dies with the backend: the held client hears so at once. The server it was starting lives on.
    await backend.kill('SIGKILL');
    expect(await heldOutcome).toMatch(/Connection terminated unexpectedly|ECONNRESET/);
    expect(isRunning(server)).toBe(true);

    await backend.start();
    // The resumed wake finds that server still starting; a client meanwhile is held by the new proxy.
    await eventually('the wake to resume', async () => {
      const { body } = await api(`/operations/${wake.id}`);
      return body.attempts === 2 && body.steps.some((s: { state: string }) => s.state === 'running') ? true : undefined;
    });
    const waiting = new Client({ connectionString: credentials.uri, connectionTimeoutMillis: 600_000 });
    const answer = waiting.connect().then(() => waiting.query('SELECT 1 AS n'));
    await release();

    expect((await answer).rows).toEqual([{ n: 1 }]);
    await waiting.end();
    // A second attempt only runs when the first did not finish: the kill interrupted it.
    expect(await finished(wake.id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    const cluster = (await api(`/clusters/${clusterId}`)).body;
    expect(cluster).toMatchObject({ status: 'ready', hibernated: false });
    expect(cluster).not.toHaveProperty('idleSuspended');
    const client = await connect(credentials);
    expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await client.end();

    // Nothing orphaned: the server the killed backend started was adopted, not started again, and woken once.
    expect(serverPids(driverDirectory, clusterId).filter(isRunning)).toEqual([server]);
    expect(postmastersIn(pgdata)).toEqual([server]);
    const wakes = (await api(`/clusters/${clusterId}/operations`)).body.items.filter((o: { type: string }) => o.type === 'wake');
    expect(wakes.map((o: { id: string }) => o.id)).toEqual([wake.id]);
    expect((await api('/orphans')).body).toEqual({ items: [] });
  });
});
