// @ts-check

/**
 * Every decision of the autoscaler, "no change" included, with its inputs and the operation it started: what
 * the cluster view's timeline shows, and where the cooldowns are counted from.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('autoscaling_decisions', table => {
    table.comment('Decisions of the autoscaler per cluster');
    table.string('id').primary().comment('uuid');
    table.string('cluster_id').notNullable();
    table.bigInteger('decided_at').notNullable().comment('epoch ms');
    table.string('action').notNullable().comment('scale-up | scale-down | grow-storage | none');
    table.text('rule').notNullable();
    table.text('change').notNullable().comment('JSON { from, to? }: size, cu, storageGb');
    table.text('inputs').notNullable().comment('JSON AutoscalingInputs');
    table.string('operation_id');
    table.index(['cluster_id', 'decided_at']);
    table.index(['decided_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('autoscaling_decisions');
};
