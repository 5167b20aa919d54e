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

  /** Ports, name and installation, written by the backend; what adoption after a restart starts from. */
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

  /**
   * Unix socket paths may not exceed 107 bytes, so sockets live under a short name rather than in the
   * cluster's directory.
   */
  socketDirectory(id: string, index: number) {
    return join(this.root, 'sockets', `${id.replace(/-/g, '').slice(0, 12)}-${index}`);
  }

  /** The longest root for which socket paths stay within the limit. */
  static readonly maxRootLength = 107 - '/sockets/123456789012-9/.s.PGSQL.65535'.length;

  /**
   * A cluster's backups: its WAL archive and base backups. Outside the cluster's directory, so deleting the
   * cluster keeps them for their grace period.
   */
  backups(id: string) {
    return join(this.root, 'backups', id);
  }

  get backupsDirectory() {
    return join(this.root, 'backups');
  }

  walArchive(id: string) {
    return join(this.backups(id), 'wal');
  }

  baseBackup(id: string, backupId: string) {
    return join(this.backups(id), 'base', backupId);
  }

  /** When a deleted cluster was deleted, written into its kept backups. */
  deletedMarker(id: string) {
    return join(this.backups(id), 'deleted.json');
  }

  log(id: string, index: number) {
    return join(this.instance(id, index), 'server.log');
  }
}
