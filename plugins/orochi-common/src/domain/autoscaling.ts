import { z } from 'zod';

/** What one autoscaler round decided for a cluster. */
export const AUTOSCALING_ACTIONS = ['scale-up', 'scale-down', 'grow-storage', 'none'] as const;

/** @public */
export type AutoscalingAction = (typeof AUTOSCALING_ACTIONS)[number];

/** The metric windows a decision was made from; utilisation is of the cluster's current size. */
export const autoscalingInputsSchema = z.object({
  /** The span the samples cover, in seconds. */
  windowSeconds: z.number().nonnegative(),
  samples: z.number().int().nonnegative(),
  /** Mean CPU use over the window, as a percentage of the size's vCPUs. */
  cpuPercent: z.number().nonnegative().optional(),
  /** Mean memory use over the window, as a percentage of the size's memory. */
  memoryPercent: z.number().nonnegative().optional(),
  /** Storage used, as a percentage of the volume. */
  storagePercent: z.number().nonnegative().optional(),
});

/** @public */
export type AutoscalingInputs = z.infer<typeof autoscalingInputsSchema>;

/**
 * One decision of the autoscaler, "no change" included: its inputs, the rule that decided, what it changed from
 * and to, and the operation it started.
 */
export const autoscalingDecisionSchema = z.object({
  id: z.string(),
  clusterId: z.string(),
  decidedAt: z.string(),
  action: z.enum(AUTOSCALING_ACTIONS),
  /** The rule that fired, in words: "CPU 91 % is above 77 % (70 % × 1.1)". */
  rule: z.string(),
  from: z.object({ size: z.string(), cu: z.number(), storageGb: z.number() }),
  to: z.object({ size: z.string(), cu: z.number(), storageGb: z.number() }).optional(),
  inputs: autoscalingInputsSchema,
  operationId: z.string().optional(),
});

/** @public */
export type AutoscalingDecision = z.infer<typeof autoscalingDecisionSchema>;

/** The policy's defaults, from the seeds' design (orochi-origin.md §4). */
export const DEFAULT_AUTOSCALING_POLICY = {
  cpuTarget: 0.7,
  memoryTarget: 0.8,
  /** Scale up when a utilisation is above its target × this. */
  scaleUpAbove: 1.1,
  /** Scale down when every utilisation is below its target × this. */
  scaleDownBelow: 0.5,
  scaleUpCooldownSeconds: 60,
  scaleDownCooldownSeconds: 300,
  /** How far back a round looks at metrics. */
  windowSeconds: 60,
  storage: {
    /** Grow the volume when it is more than this full. */
    threshold: 0.8,
    /** By this fraction of its size, and at least `minStepGb`. */
    step: 0.25,
    minStepGb: 1,
    cooldownSeconds: 300,
  },
} as const;

/** @public */
export type AutoscalingPolicy = {
  cpuTarget: number;
  memoryTarget: number;
  scaleUpAbove: number;
  scaleDownBelow: number;
  scaleUpCooldownSeconds: number;
  scaleDownCooldownSeconds: number;
  windowSeconds: number;
  storage: { threshold: number; step: number; minStepGb: number; cooldownSeconds: number };
};
