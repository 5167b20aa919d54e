import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { orochiBillingExtensionPoint } from '@orochi/backstage-plugin-orochi-node';
import { readStripeConfig } from './config';
import { StripeBillingProvider } from './StripeBillingProvider';

/** Bills Orochi's usage through Stripe when `orochi.billing.stripe` is configured. */
export const orochiModuleStripe = createBackendModule({
  pluginId: 'orochi',
  moduleId: 'stripe',
  register(reg) {
    reg.registerInit({
      deps: { config: coreServices.rootConfig, logger: coreServices.logger, billing: orochiBillingExtensionPoint },
      async init({ config, logger, billing }) {
        const stripe = readStripeConfig(config);
        if (!stripe) {
          logger.info('orochi.billing.stripe is not configured: usage is metered and billed nowhere');
          return;
        }
        billing.setProvider(new StripeBillingProvider(stripe));
      },
    });
  },
});
