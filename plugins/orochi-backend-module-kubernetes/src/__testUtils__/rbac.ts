import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A minimal evaluator of Kubernetes RBAC, for tests: the test API server has no RBAC (everyone is admin), so the
 * manifests in deploy/kubernetes are checked by evaluating their rules as kube-apiserver's RBAC authorizer does.
 * Covered: verbs, apiGroups, resources and resourceNames with `*`; ClusterRoleBindings granting everywhere;
 * RoleBindings (to a Role or a ClusterRole) granting only in their namespace, which includes the namespace object
 * itself (GET /api/v1/namespaces/x is a request in namespace x); ServiceAccount, User and Group subjects; and the
 * escalation check on creating a RoleBinding (`bind` on the role, or holding all its permissions). Not covered:
 * subresources, nonResourceURLs, aggregated ClusterRoles, `escalate`.
 */

interface Rule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

/** One request as the authorizer sees it; `namespace` empty for cluster-scoped requests (and creating a namespace). */
export interface RbacRequest {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** The user name and groups of a service account, as the API server authenticates it. */
export function serviceAccountUser(namespace: string, name: string) {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

type User = ReturnType<typeof serviceAccountUser>;

const has = (list: string[] | undefined, value: string) => !!list && (list.includes('*') || list.includes(value));

function ruleAllows(rule: Rule, request: RbacRequest): boolean {
  if (!has(rule.verbs, request.verb) || !has(rule.apiGroups, request.apiGroup) || !has(rule.resources, request.resource)) {
    return false;
  }
  // resourceNames restrict requests that name an object; a create (or list) names none, so it never matches.
  return !rule.resourceNames?.length || (!!request.name && rule.resourceNames.includes(request.name));
}

export class RbacPolicy {
  /** Every RBAC object in the YAML files of a directory. */
  static fromDirectory(directory: string): RbacPolicy {
    const objects = readdirSync(directory)
      .filter(file => /\.ya?ml$/.test(file))
      .flatMap(file => parseAllDocuments(readFileSync(join(directory, file), 'utf8')).map(doc => doc.toJS() as RbacObject))
      // The RBAC objects: a directory also holds Deployments and Services.
      .filter(object => /^(Cluster)?Role(Binding)?$/.test(object?.kind ?? ''));
    return new RbacPolicy(objects);
  }

  constructor(readonly objects: RbacObject[]) {}

  /** The policy with more objects, e.g. the RoleBinding the driver creates. */
  with(...objects: object[]): RbacPolicy {
    return new RbacPolicy([...this.objects, ...(objects as RbacObject[])]);
  }

  allows(user: User, request: RbacRequest): boolean {
    return this.#rulesFor(user, request.namespace ?? '').some(rule => ruleAllows(rule, request));
  }

  /** Creating a RoleBinding: `create` there, and `bind` on its role or every permission of the role already. */
  mayCreateRoleBinding(user: User, namespace: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }): boolean {
    const create = { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace };
    if (!this.allows(user, create)) return false;
    const resource = roleRef.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (this.allows(user, { verb: 'bind', apiGroup: 'rbac.authorization.k8s.io', resource, namespace, name: roleRef.name })) {
      return true;
    }
    const role = this.#role(roleRef.kind, roleRef.name, namespace);
    return !!role && (role.rules ?? []).every(rule => this.#covers(user, namespace, rule));
  }

  #covers(user: User, namespace: string, rule: Rule): boolean {
    const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
    return rule.verbs.every(verb =>
      (rule.apiGroups ?? []).every(apiGroup =>
        (rule.resources ?? []).every(resource =>
          names.every(name =>
            this.#rulesFor(user, namespace).some(
              held => ruleAllows(held, { verb, apiGroup, resource, namespace, name }) && (verb !== '*' || held.verbs.includes('*')),
            ),
          ),
        ),
      ),
    );
  }

  #rulesFor(user: User, namespace: string): Rule[] {
    const rules: Rule[] = [];
    for (const binding of this.objects) {
      const inScope =
        binding.kind === 'ClusterRoleBinding' || (binding.kind === 'RoleBinding' && !!namespace && binding.metadata.namespace === namespace);
      if (!inScope || !binding.roleRef || !this.#bindsUser(binding, user)) continue;
      rules.push(...(this.#role(binding.roleRef.kind, binding.roleRef.name, binding.metadata.namespace)?.rules ?? []));
    }
    return rules;
  }

  #role(kind: string, name: string, namespace?: string): RbacObject | undefined {
    return this.objects.find(o => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace));
  }

  #bindsUser(binding: RbacObject, user: User): boolean {
    return (binding.subjects ?? []).some(subject => {
      if (subject.kind === 'User') return subject.name === user.name;
      if (subject.kind === 'Group') return user.groups.includes(subject.name);
      const namespace = subject.namespace ?? binding.metadata.namespace;
      return subject.kind === 'ServiceAccount' && user.name === `system:serviceaccount:${namespace}:${subject.name}`;
    });
  }
}
