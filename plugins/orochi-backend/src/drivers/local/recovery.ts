import { RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import { DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ClusterStorage } from './ClusterStorage';
import { Provisioning } from './provisioning';
import { quoteSetting, ServerControl } from './ServerControl';

/** How long a recovery may take to reach its target and promote. */
const PROMOTION_TIMEOUT_MS = 10 * 60_000;

/** What PostgreSQL says when the archive ends before a recovery target. */
const TARGET_NOT_REACHED = 'recovery ended before configured recovery target was reached';

export type RecoveryTarget = Exclude<RestoreTarget, { type: 'now' }>;

/**
 * Archive recovery of a new cluster's primary, whose data directory holds a base backup and recovery.signal:
 * starts it with the source's archive as its WAL source and a target, waits until it has promoted, then drops
 * the recovery settings. Every step finds the server as an earlier attempt left it (still recovering, stopped
 * after a failure, promoted), so a second call after a crash finishes the recovery.
 */
export class Recovery {
  readonly #storage: ClusterStorage;
  readonly #servers: ServerControl;
  readonly #provisioning: Provisioning;

  constructor(options: { storage: ClusterStorage; servers: ServerControl; provisioning: Provisioning }) {
    this.#storage = options.storage;
    this.#servers = options.servers;
    this.#provisioning = options.provisioning;
  }

  /**
   * `settings` are the cluster's own (its size, its own archive); `archivedThrough` is the moment up to which the
   * source's archive is known to be complete.
   */
  async recover(
    id: string,
    recovery: { target: RecoveryTarget; restoreCommand: string; archivedThrough?: Date },
    settings: Record<string, string>,
    ctx: DriverOperationContext,
  ) {
    const { target, restoreCommand, archivedThrough } = recovery;
    await ctx.step(`Recover to ${describe(target)}`, async () => {
      try {
        await this.#recoverOnce(id, { ...settings, ...recoverySettings(target, restoreCommand) }, ctx.signal);
      } catch (error) {
        // Recovery to a time stops at the first transaction that ended after it. When none did, yet the archive
        // is complete past that time, the state at that time is the archive's end: recover to the end instead.
        const reachable =
          target.type === 'time' && archivedThrough && Date.parse(target.time) <= archivedThrough.getTime();
        if (!reachable || !(error as Error).message.includes(TARGET_NOT_REACHED)) throw error;
        await this.#recoverOnce(id, { ...settings, ...recoverySettings({ type: 'latest' }, restoreCommand) }, ctx.signal);
      }
    });
    await ctx.step('Drop recovery settings', () => this.#servers.ensure(id, 0, settings));
    // The copy holds the source's role and password; the new cluster gets its own before anyone is told of it.
    await ctx.step('Set the new cluster’s credentials', () => this.#provisioning.ensureDatabase(id));
  }

  /** Once promoted (no recovery.signal), what is left: drop the recovery settings from a running server. */
  async finish(id: string, settings: Record<string, string>) {
    if ((await this.#servers.state(id, 0)).running) {
      await this.#servers.ensure(id, 0, settings);
      await this.#provisioning.ensureDatabase(id);
    }
  }

  async #recoverOnce(id: string, settings: Record<string, string>, signal: AbortSignal) {
    const log = this.#storage.files.log(id, 0);
    const logOffset = existsSync(log) ? (await stat(log)).size : 0;
    try {
      try {
        await this.#servers.ensure(id, 0, settings);
      } catch (error) {
        // pg_ctl gives up waiting on a long recovery; the server recovers on, and promotion is what counts.
        if (!(await this.#servers.state(id, 0)).running) throw error;
      }
      await this.#waitForPromotion(id, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw (await fatalSince(log, logOffset)) ?? error;
    }
  }

  /** Recovery ends with promotion at the target: recovery.signal goes and the server leaves recovery. */
  async #waitForPromotion(id: string, signal: AbortSignal) {
    const deadline = Date.now() + PROMOTION_TIMEOUT_MS;
    for (;;) {
      signal.throwIfAborted();
      const inRecovery = await this.#provisioning
        .withSuperuser(id, 'postgres', async client => (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r)
        .catch(() => undefined);
      if (inRecovery === false) return;
      if (!(await this.#servers.state(id, 0)).running) throw new Error('The server stopped during recovery');
      if (Date.now() > deadline) throw new Error(`Recovery did not finish within ${PROMOTION_TIMEOUT_MS / 60_000} minutes`);
      await new Promise(r => setTimeout(r, 100));
    }
  }
}

/** What the server said when recovery failed (it names the target it could not reach), from this attempt's log. */
async function fatalSince(log: string, offset: number): Promise<Error | undefined> {
  if (!existsSync(log)) return undefined;
  const file = await open(log, 'r');
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await file.read(buffer, 0, buffer.length, offset);
    const fatal = buffer.toString('utf8').split('\n').reverse().find(line => /FATAL:/.test(line));
    return fatal ? new Error(`Recovery failed: ${fatal.replace(/^.*FATAL:\s*/, '')}`) : undefined;
  } finally {
    await file.close();
  }
}

/**
 * recovery_target_* settings for the target, with the source's archive as the WAL source. The latest timeline,
 * so a source that was itself restored (and promoted to a new timeline) is followed onto it; promotion at the
 * target, so the new cluster becomes an independent primary.
 */
function recoverySettings(target: RecoveryTarget, restoreCommand: string): Record<string, string> {
  return {
    restore_command: restoreCommand,
    recovery_target_timeline: "'latest'",
    ...(target.type === 'time'
      ? { recovery_target_time: quoteSetting(postgresTimestamp(target.time)), recovery_target_action: "'promote'" }
      : {}),
    ...(target.type === 'backup' ? { recovery_target: "'immediate'", recovery_target_action: "'promote'" } : {}),
  };
}

/** recovery_target_time takes PostgreSQL's own timestamp format, not ISO 8601's `T` and `Z`. */
function postgresTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '+00');
}

function describe(target: RecoveryTarget): string {
  if (target.type === 'time') return target.time;
  if (target.type === 'backup') return `the end of backup ${target.backupId}`;
  return 'the end of the archive';
}
