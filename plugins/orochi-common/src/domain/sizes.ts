import { z } from 'zod';

/** A compute unit: 1 vCPU and 2 GiB of memory. */
export const CU_MEMORY_MIB = 2048;

/** @public */
export const clusterSizeSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string(),
  cu: z.number().positive(),
});

/** @public */
export type ClusterSize = z.infer<typeof clusterSizeSchema>;

/** The sizes offered when configuration names none. */
export const DEFAULT_SIZES: ClusterSize[] = [
  { name: 'small', title: 'Small (1 CU: 1 vCPU, 2 GiB)', cu: 1 },
  { name: 'medium', title: 'Medium (2 CU: 2 vCPU, 4 GiB)', cu: 2 },
  { name: 'large', title: 'Large (4 CU: 4 vCPU, 8 GiB)', cu: 4 },
];
