import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { clusterSpec } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { RbacPolicy, RbacRequest, serviceAccountUser } from './__testUtils__/rbac';
import { KubernetesDriverConfig } from './config';
import { ClusterManifests } from './manifests';

const deployDirectory = resolvePackagePath('@orochi/backstage-plugin-orochi-backend-module-kubernetes', '../../deploy/kubernetes');

const config: KubernetesDriverConfig = {
  installationId: 'default',
  namespacePrefix: 'orochi-',
  image: 'ghcr.io/orochi-db/orochi-postgres',
  versions: [17],
  orochiExtension: true,
  poolerInstances: 2,
  rolloutStepTimeoutSeconds: 300,
  // The service account deploy/kubernetes binds.
  serviceAccount: { name: 'backstage', namespace: 'backstage' },
};

const backend = serviceAccountUser('backstage', 'backstage');
const manifests = new ClusterManifests(config, { id: 'c0ffee', cu: 1, spec: clusterSpec('orders-db', { owner: 'group:default/team-payments' }) });
const teamNamespace = manifests.namespace;
const deployed = RbacPolicy.fromDirectory(deployDirectory);
/** After the driver created the team namespace and its RoleBinding. */
const withTeam = deployed.with(manifests.roleBindingManifest(config.serviceAccount!));

const core = (verb: string, resource: string, namespace?: string, name?: string): RbacRequest => ({ verb, apiGroup: '', resource, namespace, name });
const cnpg = (verb: string, resource: string, namespace: string): RbacRequest => ({ verb, apiGroup: 'postgresql.cnpg.io', resource, namespace });

describe('the RBAC of deploy/kubernetes', () => {
  it('has the backend role, its binding and the tenant role', () => {
    expect(deployed.objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/orochi-backstage',
      'ClusterRole/orochi-proxy',
      'ClusterRole/orochi-tenant',
      'ClusterRoleBinding/orochi-backstage',
      'ClusterRoleBinding/orochi-proxy',
    ]);
  });

  it('lets the connection proxy find clusters and nothing else: no secrets, no changes', () => {
    const proxy = serviceAccountUser('orochi', 'orochi-proxy');
    expect(deployed.allows(proxy, cnpg('list', 'clusters', ''))).toBe(true);
    for (const verb of ['create', 'patch', 'delete']) expect(deployed.allows(proxy, cnpg(verb, 'clusters', teamNamespace))).toBe(false);
    expect(deployed.allows(proxy, core('get', 'secrets', teamNamespace, 'orders-db-app'))).toBe(false);
    expect(deployed.allows(proxy, core('list', 'secrets'))).toBe(false);
  });

  it('does not let the backend read secrets outside Orochi namespaces, even after its RoleBinding', () => {
    for (const policy of [deployed, withTeam]) {
      expect(policy.allows(backend, core('get', 'secrets', 'kube-system', 'bootstrap-token'))).toBe(false);
      expect(policy.allows(backend, core('list', 'secrets', 'kube-system'))).toBe(false);
      expect(policy.allows(backend, core('get', 'secrets', 'default', 'db-password'))).toBe(false);
      expect(policy.allows(backend, core('list', 'secrets'))).toBe(false);
      expect(policy.allows(backend, core('patch', 'namespaces', undefined, 'kube-system'))).toBe(false);
      expect(policy.allows(backend, core('delete', 'namespaces', undefined, 'kube-system'))).toBe(false);
      expect(policy.allows(backend, cnpg('create', 'clusters', 'default'))).toBe(false);
    }
  });

  it('lets the backend create namespaces and watch CloudNativePG clusters everywhere', () => {
    expect(deployed.allows(backend, core('create', 'namespaces'))).toBe(true);
    expect(deployed.allows(backend, core('get', 'namespaces', teamNamespace, teamNamespace))).toBe(true);
    for (const verb of ['list', 'watch']) expect(deployed.allows(backend, cnpg(verb, 'clusters', ''))).toBe(true);
    // The purge of deleted clusters' kept backups finds their object stores everywhere, and may only list them.
    const objectStores = (verb: string) => ({ verb, apiGroup: 'barmancloud.cnpg.io', resource: 'objectstores', namespace: '' });
    expect(deployed.allows(backend, objectStores('list'))).toBe(true);
    expect(deployed.allows(backend, objectStores('delete'))).toBe(false);
  });

  it('lets the backend bind only orochi-tenant', () => {
    // Roles every cluster has, roughly: binding them would give the backend more than it holds.
    const cluster = deployed.with(
      { kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
      { kind: 'ClusterRole', metadata: { name: 'edit' }, rules: [{ apiGroups: [''], resources: ['secrets', 'configmaps', 'pods'], verbs: ['get', 'list', 'create', 'patch', 'delete'] }] },
      { kind: 'ClusterRole', metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list', 'watch'] }] },
    );
    expect(cluster.mayCreateRoleBinding(backend, teamNamespace, { kind: 'ClusterRole', name: 'orochi-tenant' })).toBe(true);
    for (const name of ['cluster-admin', 'edit', 'view']) {
      expect({ name, allowed: cluster.mayCreateRoleBinding(backend, teamNamespace, { kind: 'ClusterRole', name }) }).toEqual({ name, allowed: false });
    }
    // Binding a role whose permissions it holds already gains nothing, and RBAC allows that.
    expect(cluster.mayCreateRoleBinding(backend, teamNamespace, { kind: 'ClusterRole', name: 'orochi-backstage' })).toBe(true);
    expect(deployed.allows(backend, { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' })).toBe(false);
    // RBAC cannot say where: the backend could bind orochi-tenant in any namespace, kube-system too. Only an
    // admission policy closes that (see the comment in orochi-clusterrole.yaml); this records the limit.
    expect(deployed.mayCreateRoleBinding(backend, 'kube-system', { kind: 'ClusterRole', name: 'orochi-tenant' })).toBe(true);
    expect(deployed.allows(backend, { verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'orochi-tenant' })).toBe(false);
  });

  it('gives the backend everything the driver does in a team namespace once the driver bound it there', () => {
    expect(deployed.allows(backend, core('get', 'secrets', teamNamespace, 'orders-db-app'))).toBe(false);
    const requests: RbacRequest[] = [
      core('get', 'namespaces', teamNamespace, teamNamespace),
      core('patch', 'namespaces', teamNamespace, teamNamespace),
      ...['get', 'list', 'create', 'patch', 'delete'].flatMap(verb => [
        core(verb, 'secrets', teamNamespace),
        ...['clusters', 'poolers', 'scheduledbackups'].map(resource => cnpg(verb, resource, teamNamespace)),
        { verb, apiGroup: 'barmancloud.cnpg.io', resource: 'objectstores', namespace: teamNamespace },
      ]),
      ...['get', 'list', 'create', 'patch'].map(verb => cnpg(verb, 'backups', teamNamespace)),
      // The metrics samples: the primary's pod and its PodMetrics.
      core('get', 'pods', teamNamespace),
      { verb: 'get', apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: teamNamespace },
    ];
    const denied = requests.filter(request => !withTeam.allows(backend, request));
    expect(denied).toEqual([]);
    // The binding grants in its own namespace only.
    expect(withTeam.allows(backend, core('get', 'secrets', 'orochi-team-other', 'x-app'))).toBe(false);
    expect(withTeam.allows(backend, core('patch', 'namespaces', 'orochi-team-other', 'orochi-team-other'))).toBe(false);
  });

  it('is what the driver binds: its RoleBinding refers to orochi-tenant for the configured service account', () => {
    expect(manifests.roleBindingManifest(config.serviceAccount!)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'orochi-tenant',
        namespace: 'orochi-team-payments',
        labels: { 'app.kubernetes.io/managed-by': 'orochi', 'orochi.io/installation': 'default' },
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'orochi-tenant' },
      subjects: [{ kind: 'ServiceAccount', name: 'backstage', namespace: 'backstage' }],
    });
  });
});

describe('the RBAC evaluator', () => {
  // The old role, which granted secrets cluster-wide: the evaluator must see through it.
  const broad = new RbacPolicy([
    { kind: 'ClusterRole', metadata: { name: 'broad' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
    { kind: 'ClusterRoleBinding', metadata: { name: 'broad' }, roleRef: { kind: 'ClusterRole', name: 'broad' }, subjects: [{ kind: 'ServiceAccount', name: 'backstage', namespace: 'backstage' }] },
  ]);

  it('grants through ClusterRoleBindings everywhere and RoleBindings in their namespace', () => {
    expect(broad.allows(backend, core('get', 'secrets', 'kube-system', 'x'))).toBe(true);
    expect(broad.allows(serviceAccountUser('other', 'backstage'), core('get', 'secrets', 'kube-system', 'x'))).toBe(false);
    const namespaced = new RbacPolicy([
      ...broad.objects.filter(o => o.kind === 'ClusterRole'),
      { kind: 'RoleBinding', metadata: { name: 'b', namespace: 'n' }, roleRef: { kind: 'ClusterRole', name: 'broad' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:backstage' }] },
    ]);
    expect(namespaced.allows(backend, core('get', 'secrets', 'n', 'x'))).toBe(true);
    expect(namespaced.allows(backend, core('get', 'secrets', 'm', 'x'))).toBe(false);
    expect(namespaced.allows(backend, core('get', 'secrets', undefined, 'x'))).toBe(false);
  });

  it('never matches a create with resourceNames, and lets a user bind a role whose permissions it holds', () => {
    const named = new RbacPolicy([
      { kind: 'ClusterRole', metadata: { name: 'named' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'get'], resourceNames: ['orochi-x'] }] },
      { kind: 'ClusterRoleBinding', metadata: { name: 'named' }, roleRef: { kind: 'ClusterRole', name: 'named' }, subjects: [{ kind: 'User', name: backend.name }] },
    ]);
    expect(named.allows(backend, core('create', 'namespaces'))).toBe(false);
    expect(named.allows(backend, core('get', 'namespaces', 'orochi-x', 'orochi-x'))).toBe(true);
    expect(broad.mayCreateRoleBinding(backend, 'n', { kind: 'ClusterRole', name: 'broad' })).toBe(false);
    const withCreate = broad.with(
      { kind: 'ClusterRole', metadata: { name: 'rb' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] }] },
      { kind: 'ClusterRoleBinding', metadata: { name: 'rb' }, roleRef: { kind: 'ClusterRole', name: 'rb' }, subjects: [{ kind: 'User', name: backend.name }] },
    );
    expect(withCreate.mayCreateRoleBinding(backend, 'n', { kind: 'ClusterRole', name: 'broad' })).toBe(true);
    expect(withCreate.mayCreateRoleBinding(backend, 'n', { kind: 'ClusterRole', name: 'missing' })).toBe(false);
  });
});
