import { z } from 'zod';
import { ClusterParent, clusterNameSchema } from './cluster';

/**
 * A moment as ISO 8601 with an offset. A pattern rather than the `date-time` format, which the OpenAPI validators
 * Backstage uses do not know.
 */
export const isoTimeSchema = z
  .string()
  .regex(
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/,
    'must be an ISO 8601 time with an offset, e.g. 2026-12-03T10:00:00Z',
  );

export const BACKUP_KINDS = ['scheduled', 'manual'] as const;
export const BACKUP_STATES = ['running', 'completed', 'failed'] as const;

/** @public */
export type BackupKind = (typeof BACKUP_KINDS)[number];

/**
 * A base backup of a cluster. With the WAL archived after it, it makes the cluster recoverable to any moment
 * from `recoverableFrom` (when the backup became consistent) onwards.
 */
export const backupSchema = z.object({
  id: z.string(),
  clusterId: z.string(),
  kind: z.enum(BACKUP_KINDS),
  state: z.enum(BACKUP_STATES),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  sizeBytes: z.number().int().optional(),
  /** The WAL the backup starts from and the WAL it needs to be consistent (segment names or LSNs). */
  wal: z.object({ start: z.string(), end: z.string().optional() }).optional(),
  /** The earliest moment a restore from this backup can reach. */
  recoverableFrom: z.string().optional(),
  error: z.string().optional(),
});

/** @public */
export type Backup = z.infer<typeof backupSchema>;

/** The moments a cluster can be restored to; both absent while it has no completed backup. */
export const recoveryWindowSchema = z.object({
  earliest: z.string().optional(),
  latest: z.string().optional(),
});

/** @public */
export type RecoveryWindow = z.infer<typeof recoveryWindowSchema>;

/**
 * Where a restore or branch starts from: the source as it is `now` (a copy of the running cluster), its
 * `latest` recoverable state, a moment in time, or one backup's consistent state.
 */
export const restoreTargetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('now') }),
  z.strictObject({ type: z.literal('latest') }),
  z.strictObject({ type: z.literal('time'), time: isoTimeSchema }),
  z.strictObject({ type: z.literal('backup'), backupId: z.string().min(1) }),
]);

/** @public */
export type RestoreTarget = z.infer<typeof restoreTargetSchema>;

/** Branches live a day unless asked otherwise, and at most 30 days (as Neon's), unless configured. */
export const DEFAULT_BRANCH_TTL_HOURS = 24;
export const DEFAULT_MAX_BRANCH_TTL_HOURS = 30 * 24;

/** The fields a restore and a branch share: the new cluster's name, and what may differ from the source. */
const copyFields = {
  name: clusterNameSchema,
  /** The new cluster's owning group; default the source's. */
  owner: z.string().min(1).optional(),
  /** Default the source's size. */
  size: z.string().optional(),
};

/** POST /clusters/{id}/restore: a new cluster from the source at a time, a backup, or its latest state. */
export const restoreRequestSchema = z
  .strictObject({
    ...copyFields,
    targetTime: isoTimeSchema.optional().describe('A moment inside the recovery window; default the latest.'),
    backupId: z.string().min(1).optional().describe('Restore a backup’s consistent state instead of a time.'),
  })
  .refine(r => !(r.targetTime && r.backupId), { message: 'give targetTime or backupId, not both', path: ['backupId'] });

/** @public */
export type RestoreRequest = z.input<typeof restoreRequestSchema>;

/** The ttl a branch request may ask for under an installation's maximum. */
function ttlHours(maxTtlHours: number) {
  return z
    .number()
    .int('must be a whole number of hours')
    .min(1, 'must be at least 1 hour')
    .max(maxTtlHours, `must be at most ${maxTtlHours} hours`);
}

function branchRequest(maxTtlHours: number) {
  return z.strictObject({
    ...copyFields,
    targetTime: isoTimeSchema.optional().describe('A moment inside the parent’s recovery window; default now.'),
    ttlHours: ttlHours(maxTtlHours).optional().describe('Hours until the branch is deleted; default 24.'),
  });
}

/** POST /clusters/{id}/branches, checked against the installation's maximum time to live. */
export function branchRequestSchema(maxTtlHours: number) {
  return branchRequest(maxTtlHours);
}

/** POST /clusters/{id}/branches as the OpenAPI document states it. */
export const branchRequestShape = branchRequest(100 * 365 * 24);

/** @public */
export type BranchRequest = z.input<typeof branchRequestShape>;

/** The restore target a restore request names. */
export function restoreTargetOf<Fallback extends RestoreTarget>(
  request: { targetTime?: string; backupId?: string },
  fallback: Fallback,
): Fallback | Extract<RestoreTarget, { type: 'time' | 'backup' }> {
  if (request.backupId) return { type: 'backup', backupId: request.backupId };
  if (request.targetTime) return { type: 'time', time: new Date(request.targetTime).toISOString() };
  return fallback;
}

/** Whether a moment lies inside a recovery window; the reason when it does not. */
export function outsideRecoveryWindow(window: RecoveryWindow, time: string): string | undefined {
  if (!window.earliest || !window.latest) {
    return 'the cluster has no completed backup yet, so it has no recovery window';
  }
  const at = Date.parse(time);
  if (at < Date.parse(window.earliest) || at > Date.parse(window.latest)) {
    return `must be inside the recovery window, from ${window.earliest} to ${window.latest}`;
  }
  return undefined;
}

/** Whether a cluster is a branch of the cluster with id `parentId`. */
export function isBranchOf(cluster: { parent?: ClusterParent }, parentId: string): boolean {
  return cluster.parent?.kind === 'branch' && cluster.parent.clusterId === parentId;
}
