// @ts-check

/**
 * Clusters whose deletion finished, kept while the driver keeps their backups so an admin can still restore them.
 * Written in the transaction that deletes the cluster row; forgotten with the backups.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deleted_clusters', table => {
    table.comment('Deleted clusters whose backups the driver still keeps');
    table.string('id').primary().comment('the deleted cluster’s id, which its backups carry');
    table.string('name').notNullable().comment('not unique: a new cluster may take the name');
    table.string('owner').notNullable();
    table.text('cluster').notNullable().comment('JSON Cluster as it was when deleted; never credentials');
    table.string('deleted_by').notNullable();
    table.string('deleted_at').notNullable().index().comment('ISO 8601');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deleted_clusters');
};
