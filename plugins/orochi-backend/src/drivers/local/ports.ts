import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { ClusterMeta, ClusterStorage } from './ClusterStorage';
import { Mutex } from './mutex';

/**
 * Gives each instance a port of `orochi.local.portRange`: one no cluster in the data directory holds (whichever
 * installation it belongs to) and no other program listens on. Allocation is serialised, so concurrent
 * operations never pick the same port.
 */
export class PortAllocator {
  readonly #storage: ClusterStorage;
  readonly #range: { from: number; to: number };
  readonly #mutex = new Mutex();
  /** Ports the driver itself listens on (the connection proxy's): its own, not another program's. */
  readonly #ours: (port: number) => boolean;

  constructor(storage: ClusterStorage, range: { from: number; to: number }, ours: (port: number) => boolean = () => false) {
    this.#storage = storage;
    this.#range = range;
    this.#ours = ours;
  }

  /**
   * The cluster's metadata with a port for each of `instances`, written when anything was missing. A new
   * cluster's metadata records this installation; one made before installations were recorded is claimed.
   */
  async allocate(id: string, name: string, instances: number): Promise<ClusterMeta> {
    return this.#mutex.run(async () => {
      await this.#storage.assertNotForeign(id);
      const { installationId } = this.#storage;
      const existing = await this.#storage.readMeta(id);
      const meta: ClusterMeta = existing ?? { id, name, installationId, ports: [] };
      if (meta.ports.length >= instances && meta.installationId) return meta;
      meta.installationId = installationId;
      await mkdir(this.#storage.files.cluster(id), { recursive: true, mode: 0o711 });
      const used = await this.#usedPorts();
      for (let index = meta.ports.length; index < instances; index++) {
        const port = await this.#freePort(used);
        used.add(port);
        meta.ports.push(port);
      }
      await this.#storage.writeMeta(meta);
      return meta;
    });
  }

  /**
   * Another program may have taken an instance's port since it was allocated (the servers were stopped); such
   * an instance moves to a free port before it starts.
   */
  async portForStart(id: string, index: number): Promise<ClusterMeta> {
    return this.#mutex.run(async () => {
      const meta = (await this.#storage.readMeta(id))!;
      if (this.#ours(meta.ports[index]) || (await canListen(meta.ports[index]))) return meta;
      meta.ports[index] = await this.#freePort(await this.#usedPorts());
      await this.#storage.writeMeta(meta);
      return meta;
    });
  }

  async #usedPorts(): Promise<Set<number>> {
    const used = new Set<number>();
    for (const id of await this.#storage.allClusterIds()) {
      (await this.#storage.readMeta(id))?.ports?.forEach(port => used.add(port));
    }
    return used;
  }

  async #freePort(used: Set<number>): Promise<number> {
    const { from, to } = this.#range;
    for (let port = from; port <= to; port++) {
      if (!used.has(port) && (await canListen(port))) return port;
    }
    throw new Error(`No free port left in orochi.local.portRange ${from}-${to}`);
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise(resolvePromise => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}
