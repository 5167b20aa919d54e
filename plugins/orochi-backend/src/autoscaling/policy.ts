import { AutoscalingAction, AutoscalingPolicy, Cluster, ClusterSize } from '@orochi/backstage-plugin-orochi-common';
import { Utilization } from './utilization';

/** What the autoscaler knows of one cluster in a round. */
export interface ScalingContext {
  cluster: Pick<Cluster, 'size' | 'cu' | 'storageGb' | 'autoscaling'>;
  /** The sizes the cluster may take (the offering's, up to its plan's ceiling), smallest first. */
  sizes: ClusterSize[];
  utilization: Utilization;
  /** When the autoscaler last started a change of the cluster's size, epoch ms. */
  lastScaleAt?: number;
  /** When it last started growing the cluster's volume, epoch ms. */
  lastStorageGrowAt?: number;
  now: number;
}

export interface Verdict {
  action: AutoscalingAction;
  /** The rule that decided, in words a user reads on the timeline. */
  rule: string;
  to?: { size: string; cu: number; storageGb: number };
}

const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;
const none = (rule: string): Verdict => ({ action: 'none', rule });

/**
 * One round's decision: a size step up when CPU or memory is above its target × `scaleUpAbove`, a step down when
 * both are below target × `scaleDownBelow` and the smaller size would not be above the scale-up line with the same
 * load (so a scale-down is never undone by the next round), each after its cooldown; otherwise a volume that is
 * fuller than the storage threshold grows. One change per round, one size step at a time.
 */
export function decide(context: ScalingContext, policy: AutoscalingPolicy): Verdict {
  const compute = decideCompute(context, policy);
  if (compute.action !== 'none') return compute;
  return decideStorage(context, policy) ?? compute;
}

function decideCompute(context: ScalingContext, policy: AutoscalingPolicy): Verdict {
  const { cluster, utilization: used, now } = context;
  const { minCu, maxCu } = cluster.autoscaling;
  const range = context.sizes.filter(s => s.cu >= minCu && s.cu <= maxCu);
  const current = { size: cluster.size, cu: cluster.cu, storageGb: cluster.storageGb };
  const step = (size: ClusterSize) => ({ ...current, size: size.name, cu: size.cu });
  if (!range.length) return none(`No size the plan allows lies within the range ${minCu}–${maxCu} CU`);
  // The owners narrowed the range: move into it first.
  if (cluster.cu < range[0].cu) {
    return { action: 'scale-up', rule: `${cluster.cu} CU is below the range's minimum of ${minCu} CU`, to: step(range[0]) };
  }
  const largest = range[range.length - 1];
  if (cluster.cu > largest.cu) {
    return { action: 'scale-down', rule: `${cluster.cu} CU is above the range's maximum of ${maxCu} CU`, to: step(largest) };
  }
  if (used.cpu === undefined || used.memory === undefined) {
    return none(`Not enough metrics yet: ${used.samples} sample(s) in the window`);
  }
  const cpu = used.cpu;
  const memory = used.memory;
  const sinceScale = context.lastScaleAt === undefined ? Infinity : (now - context.lastScaleAt) / 1000;
  const upCpu = policy.cpuTarget * policy.scaleUpAbove;
  const upMemory = policy.memoryTarget * policy.scaleUpAbove;
  const hot = [
    cpu > upCpu ? `CPU ${percent(cpu)} is above ${percent(upCpu)} (${percent(policy.cpuTarget)} × ${policy.scaleUpAbove})` : '',
    memory > upMemory
      ? `memory ${percent(memory)} is above ${percent(upMemory)} (${percent(policy.memoryTarget)} × ${policy.scaleUpAbove})`
      : '',
  ].filter(Boolean);
  if (hot.length) {
    const reason = hot.join('; ');
    const next = range.find(s => s.cu > cluster.cu);
    if (!next) return none(`${reason}, but ${cluster.size} is the largest size the range and plan allow`);
    if (sinceScale < policy.scaleUpCooldownSeconds) {
      return none(`${reason}, but the last scale was ${Math.round(sinceScale)} s ago (cooldown ${policy.scaleUpCooldownSeconds} s)`);
    }
    return { action: 'scale-up', rule: reason, to: step(next) };
  }
  const downCpu = policy.cpuTarget * policy.scaleDownBelow;
  const downMemory = policy.memoryTarget * policy.scaleDownBelow;
  const usage = `CPU ${percent(cpu)} and memory ${percent(memory)}`;
  if (cpu >= downCpu || memory >= downMemory) return none(`${usage} are within the targets`);
  const cool = `${usage} are below ${percent(downCpu)} and ${percent(downMemory)} (targets × ${policy.scaleDownBelow})`;
  const lower = [...range].reverse().find(s => s.cu < cluster.cu);
  if (!lower) return none(`${cool}, and ${cluster.size} is the smallest size the range allows`);
  const ratio = cluster.cu / lower.cu;
  if (cpu * ratio > upCpu || memory * ratio > upMemory) {
    return none(`${cool}, but ${lower.name} would be above the scale-up line with the same load`);
  }
  if (sinceScale < policy.scaleDownCooldownSeconds) {
    return none(`${cool}, but the last scale was ${Math.round(sinceScale)} s ago (cooldown ${policy.scaleDownCooldownSeconds} s)`);
  }
  return { action: 'scale-down', rule: cool, to: step(lower) };
}

/** A volume fuller than the threshold grows by the step (at least `minStepGb`), to whole GB, once per cooldown. */
function decideStorage(context: ScalingContext, policy: AutoscalingPolicy): Verdict | undefined {
  const { cluster, utilization: used, now } = context;
  const { threshold, step, minStepGb, cooldownSeconds } = policy.storage;
  if (used.storage === undefined || used.storage <= threshold) return undefined;
  const reason = `storage ${percent(used.storage)} is above ${percent(threshold)}`;
  const sinceGrow = context.lastStorageGrowAt === undefined ? Infinity : (now - context.lastStorageGrowAt) / 1000;
  if (sinceGrow < cooldownSeconds) {
    return none(`${reason}, but the volume grew ${Math.round(sinceGrow)} s ago (cooldown ${cooldownSeconds} s)`);
  }
  const storageGb = Math.ceil(Math.max(cluster.storageGb * (1 + step), cluster.storageGb + minStepGb));
  return { action: 'grow-storage', rule: reason, to: { size: cluster.size, cu: cluster.cu, storageGb } };
}
