import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { ClusterDriver } from './ClusterDriver';

/** Lets backend modules add cluster drivers; `orochi.driver` in config selects one by name. */
export interface OrochiDriversExtensionPoint {
  addDriver(name: string, driver: ClusterDriver): void;
}

/** @public */
export const orochiDriversExtensionPoint =
  createExtensionPoint<OrochiDriversExtensionPoint>({
    id: 'orochi.drivers',
  });
