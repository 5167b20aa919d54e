import { BackstageCredentials, resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { CatalogService, locationSpecToMetadataName } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yaml from 'yaml';

/** The catalog location (in app-config.yaml) that picks up every published workspace's catalog-info.yaml. */
export function publishedServicesLocation(directory: string) {
  return { type: 'file', target: resolve(directory, '*', 'catalog-info.yaml') };
}

/**
 * `publish:local`: the embedded portal's stand-in for a Git host. Copies the task's workspace to a directory on
 * the backend host; the catalog reads it through the location above, which the action refreshes at once as the
 * user running the template. (The catalog does not let users register `file` locations themselves.)
 */
export function createPublishLocalAction(options: { directory: string; catalog: CatalogService }) {
  const { directory, catalog } = options;
  return createTemplateAction({
    id: 'publish:local',
    description:
      'Copies the workspace to <scaffolder.localPublish.directory>/<name> on the backend host, where the catalog reads its catalog-info.yaml.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Publish a service skeleton written by fetch:template',
        example: yaml.stringify({
          steps: [{ id: 'publish', action: 'publish:local', name: 'Publish', input: { name: 'orders-service' } }],
        }),
      },
    ],
    schema: {
      input: {
        name: z => z.string({ description: 'Directory name for the published workspace' }).regex(/^[a-z0-9][-a-z0-9]*$/),
        catalogInfoPath: z => z.string({ description: 'Path of the catalog file in the workspace (default catalog-info.yaml)' }).optional(),
      },
      output: {
        path: z => z.string({ description: 'Where the workspace was published' }),
        entityRef: z => z.string({ description: 'The entity its catalog-info.yaml describes' }),
      },
    },
    async handler(ctx) {
      const target = resolveSafeChildPath(directory, ctx.input.name);
      const catalogInfoPath = ctx.input.catalogInfoPath ?? 'catalog-info.yaml';
      const descriptor = yaml.parse(await readFile(resolveSafeChildPath(ctx.workspacePath, catalogInfoPath), 'utf8'));
      const entityRef = stringifyEntityRef({
        kind: descriptor.kind,
        namespace: descriptor.metadata.namespace ?? 'default',
        name: descriptor.metadata.name,
      });
      ctx.output('path', target);
      ctx.output('entityRef', entityRef);
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would publish the workspace to ${target}, where the catalog would read ${entityRef}`);
        return;
      }
      await ctx.checkpoint({
        key: `publish.local.${ctx.input.name}`,
        fn: async () => {
          if (existsSync(target)) {
            throw new ConflictError(`${target} already exists; choose another name`);
          }
          await cp(ctx.workspacePath, target, { recursive: true, errorOnExist: true });
        },
      });
      const location = stringifyEntityRef({
        kind: 'location',
        namespace: 'default',
        name: locationSpecToMetadataName(publishedServicesLocation(directory)),
      });
      const credentials: BackstageCredentials = await ctx.getInitiatorCredentials();
      await catalog.refreshEntity(location, { credentials });
      ctx.logger.info(`Published to ${target}; the catalog picks up ${entityRef} from there`);
    },
  });
}
