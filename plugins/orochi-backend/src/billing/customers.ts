import { BillingProvider } from '@orochi/backstage-plugin-orochi-node';
import { BillingAccountRecord, BillingAccountStore } from '../database/BillingAccountStore';

/**
 * The account's customer in the billing provider, created when it has none yet. The provider answers the same
 * customer to a retried creation, and only the first one recorded is kept, so two callers end with one customer.
 */
export async function customerOf(account: BillingAccountRecord, accounts: BillingAccountStore, provider: BillingProvider): Promise<string> {
  if (account.customerId) return account.customerId;
  return accounts.setCustomer(account.group, await provider.ensureCustomer({ group: account.group }));
}
