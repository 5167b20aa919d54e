// @ts-check

/**
 * What drivers hold for cluster ids Orochi has no record of. They are reported, and removed only after the
 * configured grace period (never by default), counted from when they were first seen.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('orphans', table => {
    table.comment('Driver resources of this installation with no cluster record');
    table.string('cluster_id').primary().comment('the id the driver resources carry');
    table.string('driver').notNullable();
    table.bigInteger('first_seen_at').notNullable().comment('epoch ms');
    table.bigInteger('last_seen_at').notNullable().comment('epoch ms');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('orphans');
};
