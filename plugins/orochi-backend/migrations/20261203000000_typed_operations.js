// @ts-check

/**
 * Operations carry typed parameters and, when no person started them, the reason they were started.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('operations', table => {
    table.text('parameters').notNullable().defaultTo('{}').comment('JSON parameters of the operation type');
    table.text('reason').comment('why an automatic operation was started');
    table.index(['state', 'finished_at'], 'operations_state_finished_idx');
  });
  await knex('operations')
    .where({ type: 'update' })
    .update({ parameters: JSON.stringify({ from: {}, to: {} }) });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('operations', table => {
    table.dropIndex(['state', 'finished_at'], 'operations_state_finished_idx');
    table.dropColumn('parameters');
    table.dropColumn('reason');
  });
};
