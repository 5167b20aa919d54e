import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ClusterFiles } from './ClusterFiles';
import { run, ServerIdentity } from './processes';

/**
 * A backend running as root runs servers as another user, who must be able to reach the data directory. When a
 * parent directory shuts that user out (a home directory, say), cluster files go under /var/lib/orochi instead.
 */
export async function reachableRoot(
  configured: string,
  identity: ServerIdentity | undefined,
  logger: LoggerService,
): Promise<string> {
  if (configured.length > ClusterFiles.maxRootLength) {
    throw new Error(
      `orochi.local.dataDirectory ${configured} is too long for PostgreSQL's socket paths; use at most ${ClusterFiles.maxRootLength} characters`,
    );
  }
  await mkdir(configured, { recursive: true, mode: 0o711 });
  if (!identity) return configured;
  try {
    await run('test', ['-x', configured], { identity });
    return configured;
  } catch {
    const fallback = join('/var/lib/orochi', createHash('sha256').update(configured).digest('hex').slice(0, 12));
    await mkdir(fallback, { recursive: true, mode: 0o711 });
    logger.warn(
      `The server user ${identity.name} cannot reach ${configured} (a parent directory is closed to it); ` +
        `cluster files go to ${fallback} instead. Set orochi.local.dataDirectory to a reachable directory to choose.`,
    );
    return fallback;
  }
}
