/**
 * Orochi's Stripe billing: usage as meter events, upgrades through Checkout, the customer portal, and webhooks.
 *
 * @packageDocumentation
 */
export { orochiModuleStripe as default } from './module';
export { StripeBillingProvider } from './StripeBillingProvider';
