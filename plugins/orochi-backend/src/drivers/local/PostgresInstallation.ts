import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes';

/** The host's PostgreSQL server binaries and what they can do. */
export interface PostgresInstallation {
  binDirectory: string;
  majorVersion: number;
  /** Whether the `orochi` extension is installed (its control file is in the share directory). */
  hasOrochiExtension: boolean;
  bin(name: 'initdb' | 'pg_ctl' | 'pg_basebackup' | 'pg_archivecleanup' | 'postgres'): string;
}

function newestDebianBinDirectory(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter(v => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

export async function findPostgresInstallation(
  configured?: string,
): Promise<PostgresInstallation> {
  const binDirectory = configured ?? newestDebianBinDirectory();
  if (!binDirectory || !existsSync(join(binDirectory, 'initdb'))) {
    throw new Error(
      `The local driver needs PostgreSQL server binaries (initdb, pg_ctl, postgres) but found none in ${
        binDirectory ?? '/usr/lib/postgresql/*/bin'
      }; install them (apt-get install postgresql) or set orochi.local.binDirectory`,
    );
  }
  const version = await run(join(binDirectory, 'postgres'), ['--version']);
  const match = version.match(/\(PostgreSQL\) (\d+)/);
  if (!match) {
    throw new Error(`Cannot read the PostgreSQL version from "${version.trim()}"`);
  }
  const pgConfig = join(binDirectory, 'pg_config');
  const shareDirectory = existsSync(pgConfig)
    ? (await run(pgConfig, ['--sharedir'])).trim()
    : undefined;
  return {
    binDirectory,
    majorVersion: Number(match[1]),
    hasOrochiExtension:
      !!shareDirectory &&
      existsSync(join(shareDirectory, 'extension', 'orochi.control')),
    bin: name => join(binDirectory, name),
  };
}
