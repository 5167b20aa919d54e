// @ts-check

/**
 * A billing account per owning group: the plan all of the team's clusters share, its Stripe customer and
 * subscription, its budget and whether billing suspended its clusters. Each team's plan is taken from its clusters
 * (the plan most of them had, the newest cluster's on a tie), and the per-cluster plan leaves the clusters' specs.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('billing_accounts', table => {
    table.comment('Billing accounts, one per owning group');
    table.string('group_ref').primary().comment('The owning group, as a full entity ref');
    table.string('plan').notNullable();
    table.string('customer_id').comment('Customer of the billing provider (Stripe cus_...)');
    table.string('subscription_id');
    table.string('subscription_status');
    table.text('budget').comment('JSON Budget');
    table.text('budget_alerted').comment('JSON { month, thresholds[] }: alerts already sent');
    table.text('suspension').comment('JSON { reason, since }');
    table.string('created_at').notNullable();
    table.string('updated_at').notNullable();
  });

  const clusters = await knex('clusters').select('id', 'owner', 'spec', 'created_at').orderBy('created_at');
  /** @type {Map<string, Map<string, { count: number, newest: string }>>} */
  const plansByOwner = new Map();
  for (const row of clusters) {
    const spec = JSON.parse(row.spec);
    const plans = plansByOwner.get(row.owner) ?? new Map();
    const seen = plans.get(spec.plan) ?? { count: 0, newest: '' };
    plans.set(spec.plan, { count: seen.count + 1, newest: row.created_at });
    plansByOwner.set(row.owner, plans);
    const { plan, ...rest } = spec;
    await knex('clusters').where({ id: row.id }).update({ spec: JSON.stringify(rest) });
  }
  const now = new Date().toISOString();
  for (const [owner, plans] of plansByOwner) {
    const [plan] = [...plans.entries()].sort(
      ([, a], [, b]) => b.count - a.count || b.newest.localeCompare(a.newest),
    )[0];
    await knex('billing_accounts').insert({ group_ref: owner, plan, created_at: now, updated_at: now });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  const accounts = new Map(
    (await knex('billing_accounts').select('group_ref', 'plan')).map(row => [row.group_ref, row.plan]),
  );
  for (const row of await knex('clusters').select('id', 'owner', 'spec')) {
    const spec = JSON.parse(row.spec);
    await knex('clusters')
      .where({ id: row.id })
      .update({ spec: JSON.stringify({ ...spec, plan: accounts.get(row.owner) }) });
  }
  await knex.schema.dropTable('billing_accounts');
};
