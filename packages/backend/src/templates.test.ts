import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import orochiPlugin from '@orochi/backstage-plugin-orochi-backend';
import catalogModuleOrochi from '@orochi/backstage-plugin-catalog-backend-module-orochi';
import scaffolderModuleOrochi from '@orochi/backstage-plugin-scaffolder-backend-module-orochi';
import {
  connect,
  eventually,
  exampleOrgUserInfoFactory,
  localDriverConfig,
  localDriverDirectory,
  onBehalfOfMockAuthFactory,
  stopServers,
  waitForOperation,
  testDatabaseServiceFactory,
} from '@orochi/test-utils';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Script } from 'node:vm';
import request from 'supertest';
import yaml from 'yaml';
import localPublishModule from './modules/localPublish';
import { publishedServicesLocation } from './modules/localPublish/publishLocalAction';
import permissionPolicyModule from './modules/permissionPolicy';

/** Each plugin's SQLite database, which lets the Jest worker exit when its tests are done. */
const databaseFactory = testDatabaseServiceFactory();

jest.setTimeout(300_000);

const repo = (path: string) => resolvePackagePath('backend', `../../${path}`);
const pat = mockCredentials.user.header('user:default/pat');

/** The portal's catalog, scaffolder, permission policy and Orochi, with the repository's example data and templates. */
async function startPortal(dataDirectory: string) {
  const orochi = localDriverConfig(join(dataDirectory, 'clusters'), { from: 59000, to: 59999 }).orochi;
  const { server } = await startTestBackend({
    features: [
      catalogPlugin,
      databaseFactory,
      catalogModuleScaffolderEntityModel,
      catalogModuleOrochi,
      scaffolderPlugin,
      scaffolderModuleOrochi,
      localPublishModule,
      permissionPlugin,
      permissionPolicyModule,
      orochiPlugin,
      permissionsServiceFactory,
      eventsServiceFactory,
      onBehalfOfMockAuthFactory(),
      exampleOrgUserInfoFactory(),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          permission: { enabled: true },
          orochi,
          scaffolder: { localPublish: { directory: join(dataDirectory, 'services') } },
          catalog: {
            rules: [{ allow: ['Component', 'System', 'API', 'Resource', 'Location', 'Template', 'User', 'Group'] }],
            locations: [
              ...[
                'examples/org.yaml',
                'examples/entities.yaml',
                'templates/orochi-cluster/template.yaml',
                'templates/service-with-database/template.yaml',
                'templates/preview-database/template.yaml',
              ].map(
                path => ({ type: 'file', target: repo(path) }),
              ),
              publishedServicesLocation(join(dataDirectory, 'services')),
            ],
          },
        },
      }),
    ],
  });
  return server;
}

/** The files of a template's directory, as the template editor sends them for a dry run. */
function templateFiles(name: string) {
  const root = repo(`templates/${name}`);
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap(entry =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  return walk('').map(path => ({ path, base64Content: readFileSync(join(root, path)).toString('base64') }));
}

const entity = (server: Server, ref: string) => {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return request(server).get(`/api/catalog/entities/by-name/${kind}/${namespace}/${name}`).set('Authorization', pat);
};

/** What a user may type as a description: quotes, colons, `#`, newlines, backslashes, YAML and JSON syntax. */
const trickyDescription = [
  `Sends "invoices": 'due' #1 — at 09:00, {"json": true} [a, b] & *anchor`,
  '# not a heading: key: value',
  '---',
  '- not a list item \\ with a backslash\ttab',
  '',
  '  indented "to the end"',
].join('\n');

/** The service-with-database skeleton's descriptors, for any description: each parses and carries it exactly. */
function expectSkeletonDescriptors(files: Record<string, string>, expected: { name: string; description: string; dependsOn: string }) {
  // Nothing of the template language is left over.
  expect(files['catalog-info.yaml']).not.toMatch(/\$\{\{|\{%|\{#/);
  expect(files['package.json']).not.toMatch(/\$\{\{|\{%|\{#/);
  const catalogInfo = yaml.parse(files['catalog-info.yaml']);
  expect(catalogInfo.metadata).toEqual({ name: expected.name, description: expected.description });
  expect(catalogInfo.spec.dependsOn).toEqual([expected.dependsOn]);
  const packageJson = JSON.parse(files['package.json']);
  expect(packageJson).toMatchObject({ name: expected.name, description: expected.description });
}

async function runTemplate(server: Server, templateRef: string, values: object) {
  const started = await request(server).post('/api/scaffolder/v2/tasks').set('Authorization', pat).send({ templateRef, values });
  expect(started.status).toBe(201);
  return eventually(`task ${started.body.id}`, async () => {
    const task = await request(server).get(`/api/scaffolder/v2/tasks/${started.body.id}`).set('Authorization', pat);
    return ['completed', 'failed', 'cancelled'].includes(task.body.status) ? task.body : undefined;
  });
}

async function taskLog(server: Server, taskId: string): Promise<string[]> {
  const res = await request(server).get(`/api/scaffolder/v2/tasks/${taskId}/events`).set('Authorization', pat);
  return res.body.filter((e: { type: string }) => e.type === 'log').map((e: { body: { message: string } }) => e.body.message);
}

describe('the templates through the real scaffolder and catalog', () => {
  const dataDirectory = localDriverDirectory();
  let server: Server;

  beforeAll(async () => {
    server = await startPortal(dataDirectory);
    await eventually('the templates in the catalog', async () =>
      (await entity(server, 'template:default/service-with-database')).status === 200 ? true : undefined,
    );
  });

  afterAll(() => {
    stopServers(join(dataDirectory, 'clusters'));
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it.each(['orochi-cluster', 'service-with-database'])('passes the scaffolder dry run of %s and creates nothing', async name => {
    const template = yaml.parse(readFileSync(repo(`templates/${name}/template.yaml`), 'utf8'));
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', pat)
      .send({
        template,
        values: {
          name: 'dry-run',
          description: trickyDescription,
          owner: 'group:default/team-payments',
          size: 'small',
          instances: 1,
          storageGb: 1,
        },
        secrets: {},
        directoryContents: templateFiles(name),
      });
    expect({ status: res.status, body: res.status === 200 ? {} : res.body }).toEqual({ status: 200, body: {} });
    const errors = res.body.log.filter((l: { body: { status?: string } }) => l.body.status === 'failed');
    expect(errors).toEqual([]);
    if (name === 'service-with-database') {
      const files = Object.fromEntries(
        res.body.directoryContents.map((f: { path: string; base64Content: string }) => [f.path, Buffer.from(f.base64Content, 'base64').toString('utf8')]),
      );
      // (A dry run creates no cluster, so the service's code has no host and port to default to: it is checked after
      // the real run below.)
      expectSkeletonDescriptors(files, { name: 'dry-run', description: trickyDescription, dependsOn: 'resource:default/dry-run-db' });
    }
    expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual(template.spec.steps.map((s: { id: string }) => s.id));
    expect((await request(server).get('/api/orochi/clusters').set('Authorization', pat)).body.totalCount).toBe(0);
  });

  it('creates a connectable cluster with orochi-cluster; its entity follows it into and out of the catalog', async () => {
    const task = await runTemplate(server, 'template:default/orochi-cluster', {
      name: 'tpl-orders-db',
      owner: 'group:default/team-payments',
      system: 'system:default/payments',
      size: 'small',
      instances: 1,
      storageGb: 1,
      backups: false,
    });
    expect(task.status).toBe('completed');
    const log = await taskLog(server, task.id);
    expect(log).toEqual(expect.arrayContaining([expect.stringMatching(/✓ Start primary/)]));

    const [cluster] = (await request(server).get('/api/orochi/clusters').set('Authorization', pat)).body.items;
    expect(cluster).toMatchObject({ name: 'tpl-orders-db', status: 'ready', system: 'system:default/payments' });
    const credentials = await request(server).get(`/api/orochi/clusters/${cluster.id}/credentials`).set('Authorization', pat);
    const client = await connect(credentials.body);
    expect((await client.query('SELECT current_user')).rows).toEqual([{ current_user: 'app' }]);
    await client.end();

    const resource = await eventually('the cluster entity', async () => {
      const res = await entity(server, 'resource:default/tpl-orders-db');
      return res.status === 200 && res.body.relations?.length ? res.body : undefined;
    });
    expect(resource.spec).toEqual({ type: 'orochi-cluster', owner: 'group:default/team-payments', system: 'system:default/payments' });
    expect(resource.metadata.annotations['orochi.io/cluster-id']).toBe(cluster.id);
    expect(resource.metadata.labels).toMatchObject({ 'orochi.io/plan': 'pro', 'orochi.io/size': 'small', 'orochi.io/region': 'local' });
    expect(resource.relations).toEqual(
      expect.arrayContaining([
        { type: 'ownedBy', targetRef: 'group:default/team-payments' },
        { type: 'partOf', targetRef: 'system:default/payments' },
      ]),
    );
    expect(JSON.stringify(resource)).not.toContain(credentials.body.password);

    const deleted = await request(server).delete(`/api/orochi/clusters/${cluster.id}`).set('Authorization', pat);
    await waitForOperation(server, deleted.body.operation.id, pat);
    await eventually('the entity to leave the catalog', async () =>
      (await entity(server, 'resource:default/tpl-orders-db')).status === 404 ? true : undefined,
    );
  });

  it('publishes a service that depends on its new database with service-with-database', async () => {
    const task = await runTemplate(server, 'template:default/service-with-database', {
      name: 'invoices',
      description: trickyDescription,
      owner: 'group:default/team-payments',
      size: 'small',
      instances: 1,
    });
    expect({ status: task.status, log: task.status === 'completed' ? [] : await taskLog(server, task.id) }).toEqual({ status: 'completed', log: [] });
    const published = join(dataDirectory, 'services', 'invoices');
    const read = (path: string) => readFileSync(join(published, path), 'utf8');
    expectSkeletonDescriptors(
      { 'catalog-info.yaml': read('catalog-info.yaml'), 'package.json': read('package.json') },
      { name: 'invoices', description: trickyDescription, dependsOn: 'resource:default/invoices-db' },
    );
    // The service's code compiles (it is not run) and defaults to its database.
    const code = read('src/index.js');
    expect(() => new Script(code, { filename: 'index.js' })).not.toThrow();
    expect(code).toMatch(/process\.env\.PGPORT \?\? \d+\)/);
    expect(code).toContain(`process.env.PGHOST ?? "localhost"`);

    const component = await eventually('the component', async () => {
      const res = await entity(server, 'component:default/invoices');
      return res.status === 200 && res.body.relations?.some((r: { type: string }) => r.type === 'dependsOn') ? res.body : undefined;
    });
    expect(component.spec).toMatchObject({ owner: 'group:default/team-payments', dependsOn: ['resource:default/invoices-db'] });
    expect(component.metadata.description).toBe(trickyDescription);
    expect(component.relations).toEqual(expect.arrayContaining([{ type: 'dependsOn', targetRef: 'resource:default/invoices-db' }]));

    const database = await eventually('the database entity', async () => {
      const res = await entity(server, 'resource:default/invoices-db');
      return res.status === 200 && res.body.relations?.some((r: { type: string }) => r.type === 'dependencyOf') ? res.body : undefined;
    });
    expect(database.relations).toEqual(expect.arrayContaining([{ type: 'dependencyOf', targetRef: 'component:default/invoices' }]));

    const [cluster] = (await request(server).get('/api/orochi/clusters').set('Authorization', pat)).body.items;
    const deleted = await request(server).delete(`/api/orochi/clusters/${cluster.id}`).set('Authorization', pat);
    await waitForOperation(server, deleted.body.operation.id, pat);
  });

  it('refuses a user the policy does not allow to create for the chosen owner, with a clear failure', async () => {
    const task = await runTemplate(server, 'template:default/orochi-cluster', {
      name: 'not-mine-db',
      owner: 'group:default/team-search',
      size: 'small',
      instances: 1,
      storageGb: 1,
    });
    expect(task.status).toBe('failed');
    const log = await taskLog(server, task.id);
    expect(log.join('\n')).toMatch(/refused by Orochi \(403 NotAllowedError\): You may not orochi.cluster.create/);
    expect((await request(server).get('/api/orochi/clusters').set('Authorization', pat)).body.totalCount).toBe(0);
  });

  it('branches an existing cluster with preview-database; the branch’s entity names its parent and expiry', async () => {
    const orochi = (path: string) => request(server).get(`/api/orochi${path}`).set('Authorization', pat);
    const created = await request(server)
      .post('/api/orochi/clusters')
      .set('Authorization', pat)
      .send({ name: 'tpl-parent-db', owner: 'group:default/team-payments' });
    expect(created.status).toBe(202);
    expect(await waitForOperation(server, created.body.operation.id, pat)).toMatchObject({ state: 'succeeded' });
    const parentId: string = created.body.cluster.id;
    const parent = await connect((await orochi(`/clusters/${parentId}/credentials`)).body);
    parent.on('error', () => undefined);
    let branchClient: Awaited<ReturnType<typeof connect>> | undefined;
    try {
      await parent.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
      await parent.query(`INSERT INTO notes (note) VALUES ('from the parent')`);
      await eventually('the preview-database template in the catalog', async () =>
        (await entity(server, 'template:default/preview-database')).status === 200 ? true : undefined,
      );

      // The dry run checks the parent, derives the branch name, and creates nothing.
      const template = yaml.parse(readFileSync(repo('templates/preview-database/template.yaml'), 'utf8'));
      const dryRun = (values: object) =>
        request(server)
          .post('/api/scaffolder/v2/dry-run')
          .set('Authorization', pat)
          .send({ template, values, secrets: {}, directoryContents: templateFiles('preview-database') });
      const checked = await dryRun({ parent: 'resource:default/tpl-parent-db', purpose: trickyDescription, ttlHours: 1 });
      expect({ status: checked.status, failed: checked.body.log?.filter((l: { body: { status?: string } }) => l.body.status === 'failed') }).toEqual({
        status: 200,
        failed: [],
      });
      expect(checked.body.output.links).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ entityRef: 'resource:default/tpl-parent-db-preview' }),
          expect.objectContaining({ entityRef: 'resource:default/tpl-parent-db' }),
        ]),
      );
      expect(checked.body.output.text).toEqual(expect.arrayContaining([{ title: 'Purpose', content: trickyDescription }]));
      const missing = await dryRun({ parent: 'resource:default/no-such-db', ttlHours: 1 });
      expect(JSON.stringify(missing.body)).toMatch(/parent: there is no cluster named no-such-db that you may read/);
      expect((await orochi('/clusters')).body.totalCount).toBe(1);

      const started = Date.now();
      const task = await runTemplate(server, 'template:default/preview-database', {
        parent: 'resource:default/tpl-parent-db',
        name: 'tpl-parent-db-pr-7',
        purpose: 'https://github.com/acme/orders/pull/7',
        ttlHours: 1,
      });
      expect({ status: task.status, log: task.status === 'completed' ? [] : await taskLog(server, task.id) }).toEqual({ status: 'completed', log: [] });
      expect(await taskLog(server, task.id)).toEqual(expect.arrayContaining([expect.stringMatching(/✓ Copy tpl-parent-db as it is now/)]));

      const [branch] = (await orochi(`/clusters/${parentId}/branches`)).body.items;
      expect(branch).toMatchObject({
        name: 'tpl-parent-db-pr-7',
        status: 'ready',
        owner: 'group:default/team-payments',
        parent: { kind: 'branch', clusterId: parentId, clusterName: 'tpl-parent-db' },
      });
      expect(Date.parse(branch.expiresAt)).toBeGreaterThanOrEqual(started + 3_600_000 - 5000);
      expect(Date.parse(branch.expiresAt)).toBeLessThanOrEqual(Date.now() + 3_600_000);
      const events = (await request(server).get(`/api/scaffolder/v2/tasks/${task.id}/events`).set('Authorization', pat)).body;
      const completion = events.find((e: { type: string }) => e.type === 'completion');
      expect(completion.body.output.links).toEqual([
        expect.objectContaining({ url: `http://localhost:3000/orochi/clusters/${branch.id}` }),
        expect.objectContaining({ entityRef: 'resource:default/tpl-parent-db-pr-7' }),
        expect.objectContaining({ entityRef: 'resource:default/tpl-parent-db' }),
      ]);
      const credentials = (await orochi(`/clusters/${branch.id}/credentials`)).body;
      expect(JSON.stringify(completion.body.output)).not.toContain(credentials.password);
      branchClient = await connect(credentials);
      branchClient.on('error', () => undefined);
      expect((await branchClient.query('SELECT note FROM notes')).rows).toEqual([{ note: 'from the parent' }]);

      const branchEntity = await eventually('the branch entity with its dependency on the parent', async () => {
        const res = await entity(server, 'resource:default/tpl-parent-db-pr-7');
        return res.status === 200 && res.body.relations?.some((r: { type: string }) => r.type === 'dependsOn') ? res.body : undefined;
      });
      expect(branchEntity.spec).toMatchObject({ type: 'orochi-cluster', dependsOn: ['resource:default/tpl-parent-db'] });
      expect(branchEntity.relations).toEqual(expect.arrayContaining([{ type: 'dependsOn', targetRef: 'resource:default/tpl-parent-db' }]));
      expect(branchEntity.metadata.annotations).toMatchObject({
        'orochi.io/cluster-id': branch.id,
        'orochi.io/parent': 'resource:default/tpl-parent-db',
        'orochi.io/parent-cluster-id': parentId,
        'orochi.io/expires-at': branch.expiresAt,
      });
      expect(branchEntity.metadata.labels).toMatchObject({ 'orochi.io/branch': 'true' });
      expect(JSON.stringify(branchEntity)).not.toContain(credentials.password);
      const parentEntity = await eventually('the parent entity with the branch depending on it', async () => {
        const res = await entity(server, 'resource:default/tpl-parent-db');
        return res.status === 200 && res.body.relations?.some((r: { type: string }) => r.type === 'dependencyOf') ? res.body : undefined;
      });
      expect(parentEntity.relations).toEqual(expect.arrayContaining([{ type: 'dependencyOf', targetRef: 'resource:default/tpl-parent-db-pr-7' }]));
      expect(parentEntity.metadata.labels['orochi.io/branch']).toBeUndefined();

      for (const id of [branch.id, parentId]) {
        const deleted = await request(server).delete(`/api/orochi/clusters/${id}`).set('Authorization', pat);
        expect(await waitForOperation(server, deleted.body.operation.id, pat)).toMatchObject({ state: 'succeeded' });
      }
      await eventually('the branch entity to leave the catalog', async () =>
        (await entity(server, 'resource:default/tpl-parent-db-pr-7')).status === 404 ? true : undefined,
      );
    } finally {
      await branchClient?.end().catch(() => undefined);
      await parent.end().catch(() => undefined);
    }
  });
});
