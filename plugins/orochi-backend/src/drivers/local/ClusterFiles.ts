import { join } from 'node:path';

/** Where the local driver keeps each cluster's files. */
export class ClusterFiles {
  constructor(readonly root: string) {}

  get clustersDirectory() {
    return join(this.root, 'clusters');
  }

  template(majorVersion: number) {
    return join(this.root, 'templates', `pg${majorVersion}`);
  }

  cluster(id: string) {
    return join(this.clustersDirectory, id);
  }

  /** Ports and name, written by the backend; what adoption after a restart starts from. */
  meta(id: string) {
    return join(this.cluster(id), 'meta.json');
  }

  /** The application role's password, readable by the backend's user only. */
  credentials(id: string) {
    return join(this.cluster(id), 'credentials.json');
  }

  instance(id: string, index: number) {
    return join(this.cluster(id), 'instances', String(index));
  }

  pgdata(id: string, index: number) {
    return join(this.instance(id, index), 'pgdata');
  }

  socketDirectory(id: string, index: number) {
    return join(this.instance(id, index), 'run');
  }

  log(id: string, index: number) {
    return join(this.instance(id, index), 'server.log');
  }
}
