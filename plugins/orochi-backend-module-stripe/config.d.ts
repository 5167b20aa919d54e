export interface Config {
  orochi?: {
    billing?: {
      /**
       * Stripe, through `@orochi/backstage-plugin-orochi-backend-module-stripe`. Without it Orochi meters usage and
       * bills nothing.
       */
      stripe?: {
        /**
         * The secret API key (`sk_live_...`, `sk_test_...`), or a restricted key that may write customers, meter
         * events, Checkout and portal sessions and read prices and subscriptions.
         * @visibility secret
         */
        secretKey: string;
        /**
         * The signing secret of the webhook endpoint (`whsec_...`) that points at `/api/orochi/billing/webhook`.
         * @visibility secret
         */
        webhookSecret: string;
        /** Each Orochi plan's Stripe prices: a licensed monthly base price, and metered prices on Orochi's meters. */
        plans?: {
          [plan: string]: { basePrice?: string; meteredPrices?: string[] };
        };
        /** Prefix of the meters' event names; default `orochi_` (`orochi_compute_unit_seconds`, ...). */
        meterEventPrefix?: string;
        /** Per-request timeout; default `{ seconds: 20 }`. */
        timeout?: import('@backstage/types').HumanDuration | string;
        /** Retries of a request that failed on the network or with a 409 or 5xx; default 2. */
        maxNetworkRetries?: number;
        /** Where the Stripe API is, for a local fake or stripe-mock; default Stripe's own. */
        api?: { host: string; port?: number; protocol?: 'http' | 'https' };
      };
    };
  };
}
