import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { OrochiPermissionPolicy } from './OrochiPermissionPolicy';

const user = (ref: string, groups: string[]): PolicyQueryUser =>
  ({ info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] } }) as unknown as PolicyQueryUser;
const pat = user('user:default/pat', ['group:default/team-payments']);
const ada = user('user:default/ada', ['group:default/platform-admins']);

/** A catalog entity with the relations the catalog computes, which the catalog's rules read. */
function entity(kind: string, name: string, owner: string, type?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: { owner, ...(type ? { type } : {}) },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

const entities = [
  entity('Resource', 'ledger-db', 'group:default/team-payments', 'orochi-cluster'),
  entity('Resource', 'catalog-db', 'group:default/team-search', 'orochi-cluster'),
  entity('Resource', 'search-bucket', 'group:default/team-search', 's3-bucket'),
  entity('Component', 'search-api', 'group:default/team-search', 'service'),
];

/** What the catalog lets each user read, with the catalog's own rules applied to the policy's decision. */
async function readable(policy: OrochiPermissionPolicy, who: PolicyQueryUser) {
  const decision = await policy.handle({ permission: catalogEntityReadPermission }, who);
  const authorize = createConditionAuthorizer(Object.values(permissionRules));
  return entities.filter(e => authorize(decision, e)).map(e => e.metadata.name);
}

describe('OrochiPermissionPolicy in the catalog', () => {
  it('hides another team’s cluster entities when clusters are visible to their owners only', async () => {
    const policy = new OrochiPermissionPolicy({ platformAdmins: ['group:default/platform-admins'], clusterVisibility: 'owners' });
    expect(await readable(policy, pat)).toEqual(['ledger-db', 'search-bucket', 'search-api']);
    expect(await readable(policy, ada)).toEqual(['ledger-db', 'catalog-db', 'search-bucket', 'search-api']);
  });

  it('shows every entity when clusters are visible to everyone', async () => {
    const policy = new OrochiPermissionPolicy({ platformAdmins: [], clusterVisibility: 'everyone' });
    expect(await policy.handle({ permission: catalogEntityReadPermission }, pat)).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
