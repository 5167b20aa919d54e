// @ts-check

/**
 * Which branches' owners were warned of an expiry, so each expiry is announced once across replicas and
 * restarts. Extending a branch gives it a new expiry, which is announced again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('branch_expiry_warnings', table => {
    table.comment('Expiry warnings sent to branch owners');
    table.string('cluster_id').notNullable();
    table.string('expires_at').notNullable().comment('the expiry the warning announced');
    table.bigInteger('sent_at').notNullable().comment('epoch ms');
    table.primary(['cluster_id', 'expires_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('branch_expiry_warnings');
};
