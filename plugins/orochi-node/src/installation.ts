import { RootConfigService } from '@backstage/backend-plugin-api';

/** Up to 32 lowercase letters, digits and '-': a Kubernetes label value and a directory name alike. */
export const INSTALLATION_ID_PATTERN = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/**
 * `orochi.installationId`: names this portal's resources in every driver (a Kubernetes label value, a mark in the
 * local driver's directories), so two portals on one Kubernetes cluster never see each other's. Read here for
 * the plugin and every driver module alike.
 */
export function readInstallationId(config: RootConfigService): string {
  const id = config.getOptionalString('orochi.installationId') ?? 'default';
  if (!INSTALLATION_ID_PATTERN.test(id)) {
    throw new Error(
      `Invalid orochi configuration: installationId: "${id}" must be up to 32 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    );
  }
  return id;
}
