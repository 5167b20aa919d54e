import { createServiceFactory, coreServices, resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** The entities of the repository's examples/ (the org, systems and components) that tests run against. */
export function exampleEntities(): Entity[] {
  return ['org.yaml', 'entities.yaml'].flatMap(name => {
    const file = resolvePackagePath('@orochi/test-utils', `../../examples/${name}`);
    return parseAllDocuments(readFileSync(file, 'utf8')).map(doc => {
      const entity = doc.toJSON() as Entity;
      return { ...entity, metadata: { namespace: 'default', ...entity.metadata } };
    });
  });
}

/**
 * A userInfo service that resolves ownership as the catalog does for the example org: a user owns through
 * themselves and the groups they are a member of.
 */
export function exampleOrgUserInfoFactory() {
  const memberships = new Map<string, string[]>();
  for (const entity of exampleEntities().filter(e => e.kind === 'User')) {
    const groups = ((entity.spec?.memberOf as string[]) ?? []).map(group =>
      stringifyEntityRef({ kind: 'group', namespace: 'default', name: group }),
    );
    memberships.set(stringifyEntityRef(entity), groups);
  }
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const principal = credentials.principal as { type: string; userEntityRef?: string };
        if (principal.type !== 'user' || !principal.userEntityRef) {
          throw new Error(`No user info for a ${principal.type} principal`);
        }
        return {
          userEntityRef: principal.userEntityRef,
          ownershipEntityRefs: [principal.userEntityRef, ...(memberships.get(principal.userEntityRef) ?? [])],
        };
      },
    }),
  });
}
