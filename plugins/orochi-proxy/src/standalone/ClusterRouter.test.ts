import { ResponseError } from '@backstage/errors';
import type { ProxyRefusal } from '../ProxyRefusal';
import { ClusterRouter } from './ClusterRouter';
import type { RoutedCluster } from './KubernetesDirectory';

const cluster = (overrides: Partial<RoutedCluster> = {}): RoutedCluster => ({
  id: 'c0ffee',
  name: 'payments-db',
  namespace: 'orochi-team-payments',
  database: 'app',
  writeService: 'payments-db-rw',
  hibernated: false,
  ready: true,
  ...overrides,
});

function router(found: RoutedCluster | undefined, wake: () => Promise<unknown> = async () => undefined) {
  const woken: string[] = [];
  const asked: string[] = [];
  const instance = new ClusterRouter({
    directory: {
      find: async name => {
        asked.push(name);
        return found?.name === name ? found : undefined;
      },
    },
    orochi: {
      wakeClusterOnConnect: async (id, options) => {
        woken.push(`${id} ${options?.token}`);
        return (await wake()) as any;
      },
    },
    token: 'proxy-token',
    domain: 'db.example.com',
    upstream: '{service}.{namespace}.svc.cluster.local:5432',
  });
  return { instance, woken, asked };
}

const signal = new AbortController().signal;
const byName = { listenPort: 5432, serverName: 'payments-db.db.example.com', startupParameters: { user: 'app', database: 'app' } };

it("routes by server name to the primary's Service, and leaves the startup parameters alone", async () => {
  const { instance, woken } = router(cluster());
  expect(await instance.resolve(byName, signal)).toEqual({ host: 'payments-db-rw.orochi-team-payments.svc.cluster.local', port: 5432 });
  expect(woken).toEqual([]);
});

it('routes by database without TLS and gives the server its own database', async () => {
  const { instance } = router(cluster());
  const target = await instance.resolve({ listenPort: 5432, startupParameters: { user: 'app', database: 'payments-db' } }, signal);
  expect(target).toMatchObject({ startupParameters: { user: 'app', database: 'app' } });
});

it('refuses names that are no cluster, without asking Kubernetes about them', async () => {
  const { instance, asked } = router(cluster());
  await expect(instance.resolve({ ...byName, serverName: 'payments-db.other.example.com' }, signal)).rejects.toThrow(/no cluster named:/);
  await expect(instance.resolve({ ...byName, serverName: 'a.b.db.example.com' }, signal)).rejects.toThrow(/no cluster named:/);
  await expect(instance.resolve({ listenPort: 5432, startupParameters: { database: 'x,metadata.name=y' } }, signal)).rejects.toThrow(
    'no cluster named "x,metadata.name=y"',
  );
  expect(asked).toEqual([]);
});

it('wakes a stopped cluster through the API with its token, and passes the refusal on in words', async () => {
  const { instance, woken } = router(cluster({ hibernated: true, ready: false }));
  await instance.resolve(byName, signal);
  expect(woken).toEqual(['c0ffee proxy-token']);

  // Backstage's error body, as the backend sends it.
  const body = {
    error: { name: 'ConflictError', message: 'cluster payments-db is hibernated by a user' },
    request: { method: 'POST', url: '/api/orochi/clusters/c0ffee/wake-on-connect' },
    response: { statusCode: 409 },
  };
  const refusal = new Response(JSON.stringify(body), {
    status: 409,
    headers: { 'Content-Type': 'application/json' },
  });
  const error = await ResponseError.fromResponse(refusal);
  const refusing = router(cluster({ hibernated: true }), () => Promise.reject(error)).instance;
  const refused = (await refusing.resolve(byName, signal).catch((e: unknown) => e)) as ProxyRefusal;
  expect({ message: refused.message, sqlState: refused.sqlState }).toEqual({ message: 'cluster payments-db is hibernated by a user', sqlState: '57P03' });

  const down = router(cluster({ ready: false }), () => Promise.reject(new TypeError('fetch failed'))).instance;
  await expect(down.resolve(byName, signal)).rejects.toThrow('could not wake cluster payments-db: the Orochi backend did not answer (fetch failed)');
});
