import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes the files under `path` take, as allocated on disk (what `du` counts); 0 when it does not exist. Files
 * that vanish while it walks (WAL recycled, a checkpoint) are skipped.
 */
export async function directoryBytes(path: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      total += await directoryBytes(child);
      continue;
    }
    try {
      total += (await lstat(child)).blocks * 512;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return total;
}
