import { BackstageCredentials, resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'yaml';

/**
 * `publish:local`: the embedded portal's stand-in for a Git host. Copies the task's workspace to a directory
 * on the backend host and registers its catalog-info.yaml as a `file` location, as the user running the template.
 */
export function createPublishLocalAction(options: { directory: string; catalog: CatalogService }) {
  const { directory, catalog } = options;
  return createTemplateAction({
    id: 'publish:local',
    description:
      'Copies the workspace to <scaffolder.localPublish.directory>/<name> on the backend host and registers its catalog-info.yaml in the catalog.',
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
        entityRef: z => z.string({ description: 'The component registered from it' }).optional(),
      },
    },
    async handler(ctx) {
      const target = resolveSafeChildPath(directory, ctx.input.name);
      const catalogFile = join(target, ctx.input.catalogInfoPath ?? 'catalog-info.yaml');
      ctx.output('path', target);
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would publish the workspace to ${target} and register ${catalogFile}`);
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
      const credentials: BackstageCredentials = await ctx.getInitiatorCredentials();
      const registered = await ctx.checkpoint({
        key: `publish.local.register.${ctx.input.name}`,
        fn: async () => {
          const result = await catalog.addLocation({ type: 'file', target: catalogFile }, { credentials });
          const component = result.entities.find(e => e.kind === 'Component') ?? result.entities[0];
          return component ? stringifyEntityRef(component) : '';
        },
      });
      ctx.logger.info(`Published to ${target}${registered ? ` and registered ${registered}` : ''}`);
      if (registered) ctx.output('entityRef', registered);
    },
  });
}
