// @ts-check

/**
 * Metering: per cluster how far usage has been measured and in what state; raw samples per interval and meter
 * (kept for a while, for audit); hourly totals per cluster and meter, added to by each round and marked dirty until
 * the roll-up has queued their account's total; the outbox of meter events for the billing provider, one row per account,
 * meter, hour and revision; and the webhook events already applied.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('usage_watermarks', table => {
    table.comment('How far each cluster has been metered, and what it ran at that moment');
    table.string('cluster_id').primary();
    table.string('owner').notNullable();
    table.bigInteger('metered_until').notNullable().comment('epoch ms');
    table.boolean('running').notNullable().comment('Whether compute was metered at metered_until');
    table.float('cu').notNullable();
  });
  await knex.schema.createTable('usage_samples', table => {
    table.comment('Raw usage per cluster, meter and interval, pruned after the raw retention');
    table.string('cluster_id').notNullable();
    table.string('owner').notNullable();
    table.string('meter').notNullable();
    table.bigInteger('start_ms').notNullable();
    table.bigInteger('end_ms').notNullable();
    table.double('value').notNullable();
    table.primary(['cluster_id', 'meter', 'start_ms']);
    table.index(['end_ms']);
  });
  await knex.schema.createTable('usage_hourly', table => {
    table.comment('Usage per cluster, meter and hour');
    table.string('cluster_id').notNullable();
    table.string('owner').notNullable();
    table.string('meter').notNullable();
    table.bigInteger('hour').notNullable().comment('epoch ms of the hour start');
    table.double('value').notNullable();
    table.boolean('dirty').notNullable().comment('Changed since the roll-up last queued its account total');
    table.primary(['cluster_id', 'meter', 'hour']);
    table.index(['owner', 'hour']);
    table.index(['dirty', 'hour']);
  });
  await knex.schema.createTable('meter_events', table => {
    table.comment('Outbox of meter events: each account, meter and hour reaches the billing provider once');
    table.string('identifier').primary().comment('<owner>:<meter>:<hour ISO>[:r<revision>]');
    table.string('owner').notNullable();
    table.string('meter').notNullable();
    table.bigInteger('hour').notNullable();
    table.integer('revision').notNullable();
    table.bigInteger('value').notNullable();
    table.string('cancels').comment('The identifier of the revision this one replaces');
    table.string('state').notNullable().comment('pending | delivered | failed');
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('not_before').notNullable().comment('epoch ms: next attempt');
    table.bigInteger('claimed_until').comment('epoch ms: a replica is sending it');
    table.text('last_error');
    table.bigInteger('created_at').notNullable();
    table.bigInteger('delivered_at');
    table.unique(['owner', 'meter', 'hour', 'revision']);
    table.index(['state', 'not_before']);
  });
  await knex.schema.createTable('billing_webhook_events', table => {
    table.comment('Webhook events of the billing provider already applied, so a redelivery changes nothing');
    table.string('id').primary();
    table.string('type').notNullable();
    table.bigInteger('received_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of ['billing_webhook_events', 'meter_events', 'usage_hourly', 'usage_samples', 'usage_watermarks']) {
    await knex.schema.dropTable(table);
  }
};
