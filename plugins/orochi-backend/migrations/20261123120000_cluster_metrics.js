// @ts-check

/**
 * Samples of each running cluster's activity, taken by the metrics sampler and served as time series.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cluster_metrics', table => {
    table.comment('Periodic samples of cluster activity; counters are cumulative and turned into rates on read');
    table.string('cluster_id').notNullable();
    table.bigInteger('sampled_at').notNullable().comment('epoch ms');
    table.integer('connections').notNullable().comment('client sessions, without Orochi’s own');
    table.bigInteger('transactions_total').notNullable().comment('commits and rollbacks since the server started');
    table.double('cpu_seconds_total').notNullable().comment('CPU time of the primary’s processes');
    table.bigInteger('memory_bytes').notNullable().comment('proportional set size of the primary’s processes');
    table.bigInteger('storage_bytes').notNullable().comment('size of all databases');
    table.primary(['cluster_id', 'sampled_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cluster_metrics');
};
