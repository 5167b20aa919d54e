// @ts-check

/**
 * What scale to zero decides from: client sessions doing something, and when a session last finished something.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cluster_metrics', table => {
    table.integer('active_sessions').notNullable().defaultTo(0).comment('sessions running or in a transaction, replication, autovacuum');
    table.bigInteger('last_activity_at').comment('epoch ms: the newest moment an open session went idle');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cluster_metrics', table => {
    table.dropColumn('active_sessions');
    table.dropColumn('last_activity_at');
  });
};
