import { DatabaseService, isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { BillingAccount, BillingSuspensionReason, Budget } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

/** An account as the backend keeps it: the API shape with the provider's customer id. */
export type BillingAccountRecord = BillingAccount & {
  customerId?: string;
  /** Budget alerts already sent: the month (`YYYY-MM`) and its thresholds. */
  budgetAlerted?: { month: string; thresholds: number[] };
};

/** What a change sets; absent fields stay, `null` clears. */
export interface AccountUpdate {
  plan?: string;
  subscription?: { id: string; status: string } | null;
  budget?: Budget | null;
  budgetAlerted?: { month: string; thresholds: number[] };
  suspension?: { reason: BillingSuspensionReason; since: string } | null;
}

/** Billing accounts per owning group, and the provider's webhook events already applied to them. */
export interface BillingAccountStore {
  get(group: string): Promise<BillingAccountRecord | undefined>;
  list(): Promise<BillingAccountRecord[]>;
  /** The account, opened with `plan` when the group has none. */
  ensure(group: string, plan: string): Promise<BillingAccountRecord>;
  update(group: string, change: AccountUpdate): Promise<BillingAccountRecord>;
  /** Records the provider's customer unless one is recorded already; answers the one recorded. */
  setCustomer(group: string, customerId: string): Promise<string>;
  /** Finds the account of a provider's customer. */
  findByCustomer(customerId: string): Promise<BillingAccountRecord | undefined>;
  /**
   * Applies a webhook event's change once: false, changing nothing, when the event id was applied before. The
   * change is computed from the account inside the same transaction.
   */
  applyEventOnce(
    event: { id: string; type: string; receivedAt: number },
    group: string | undefined,
    change: (account: BillingAccountRecord | undefined) => AccountUpdate | undefined,
  ): Promise<boolean>;
}

type AccountRow = {
  group_ref: string;
  plan: string;
  customer_id: string | null;
  subscription_id: string | null;
  subscription_status: string | null;
  budget: string | null;
  budget_alerted: string | null;
  suspension: string | null;
  created_at: string;
  updated_at: string;
};

const toAccount = (row: AccountRow): BillingAccountRecord => ({
  group: row.group_ref,
  plan: row.plan,
  hasCustomer: row.customer_id !== null,
  ...(row.customer_id ? { customerId: row.customer_id } : {}),
  ...(row.subscription_id ? { subscription: { id: row.subscription_id, status: row.subscription_status ?? 'unknown' } } : {}),
  ...(row.budget ? { budget: JSON.parse(row.budget) } : {}),
  ...(row.budget_alerted ? { budgetAlerted: JSON.parse(row.budget_alerted) } : {}),
  ...(row.suspension ? { suspension: JSON.parse(row.suspension) } : {}),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Opens the group's account on `plan` unless it has one; for the store that writes its first cluster too. */
export async function openAccount(db: Knex, group: string, plan: string, now: string): Promise<void> {
  await db('billing_accounts').insert({ group_ref: group, plan, created_at: now, updated_at: now }).onConflict('group_ref').ignore();
}

function changeColumns(change: AccountUpdate, now: string): Partial<AccountRow> {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  return {
    ...(change.plan !== undefined ? { plan: change.plan } : {}),
    ...(change.subscription !== undefined
      ? { subscription_id: change.subscription?.id ?? null, subscription_status: change.subscription?.status ?? null }
      : {}),
    ...(change.budget !== undefined ? { budget: json(change.budget) } : {}),
    ...(change.budgetAlerted !== undefined ? { budget_alerted: json(change.budgetAlerted) } : {}),
    ...(change.suspension !== undefined ? { suspension: json(change.suspension) } : {}),
    updated_at: now,
  };
}

export class DatabaseBillingAccountStore implements BillingAccountStore {
  static async create(options: { database: DatabaseService; clock?: () => Date }) {
    return new DatabaseBillingAccountStore(await migratedClient(options.database), options.clock);
  }

  constructor(
    private readonly db: Knex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(group: string) {
    const row = await this.db<AccountRow>('billing_accounts').where({ group_ref: group }).first();
    return row ? toAccount(row) : undefined;
  }

  async list() {
    return (await this.db<AccountRow>('billing_accounts').orderBy('group_ref')).map(toAccount);
  }

  async ensure(group: string, plan: string) {
    await openAccount(this.db, group, plan, this.clock().toISOString());
    return (await this.get(group))!;
  }

  async update(group: string, change: AccountUpdate) {
    await this.db('billing_accounts').where({ group_ref: group }).update(changeColumns(change, this.clock().toISOString()));
    return (await this.get(group))!;
  }

  async setCustomer(group: string, customerId: string) {
    await this.db('billing_accounts').where({ group_ref: group }).whereNull('customer_id').update({ customer_id: customerId });
    return (await this.get(group))!.customerId!;
  }

  async findByCustomer(customerId: string) {
    const row = await this.db<AccountRow>('billing_accounts').where({ customer_id: customerId }).first();
    return row ? toAccount(row) : undefined;
  }

  async applyEventOnce(
    event: { id: string; type: string; receivedAt: number },
    group: string | undefined,
    change: (account: BillingAccountRecord | undefined) => AccountUpdate | undefined,
  ) {
    try {
      return await this.db.transaction(async tx => {
        if (await tx('billing_webhook_events').where({ id: event.id }).first()) return false;
        // A concurrent delivery of the same event fails here, on the primary key, and changes nothing.
        await tx('billing_webhook_events').insert({ id: event.id, type: event.type, received_at: event.receivedAt });
        const row = group ? await tx<AccountRow>('billing_accounts').where({ group_ref: group }).first() : undefined;
        const account = row ? toAccount(row) : undefined;
        const columns = change(account);
        if (account && columns) {
          await tx('billing_accounts').where({ group_ref: account.group }).update(changeColumns(columns, this.clock().toISOString()));
        }
        return true;
      });
    } catch (error) {
      if (isDatabaseConflictError(error)) return false;
      throw error;
    }
  }
}
