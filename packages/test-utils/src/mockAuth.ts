import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/**
 * Backstage's mock auth, except that a plugin calling another on behalf of a user sends a token that names the
 * plugin as actor, as real on-behalf-of tokens do. The permission backend needs that to answer conditional
 * requests (lists, in-memory checks); the stock mock drops the actor, so they would be refused.
 */
export function onBehalfOfMockAuthFactory() {
  return createServiceFactory({
    service: coreServices.auth,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const auth = mockServices.auth({ pluginId: plugin.getId() });
      return {
        authenticate: auth.authenticate.bind(auth),
        getNoneCredentials: auth.getNoneCredentials.bind(auth),
        getOwnServiceCredentials: auth.getOwnServiceCredentials.bind(auth),
        isPrincipal: auth.isPrincipal.bind(auth) as typeof auth.isPrincipal,
        getLimitedUserToken: auth.getLimitedUserToken.bind(auth),
        listPublicServiceKeys: auth.listPublicServiceKeys.bind(auth),
        async getPluginRequestToken(options) {
          const principal = options.onBehalfOf.principal as { type: string; userEntityRef?: string };
          if (principal.type === 'user' && principal.userEntityRef) {
            return {
              token: mockCredentials.user.token(principal.userEntityRef, {
                actor: { subject: `plugin:${plugin.getId()}` },
              }),
            };
          }
          return auth.getPluginRequestToken(options);
        },
      };
    },
  });
}
