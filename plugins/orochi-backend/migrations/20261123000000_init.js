// @ts-check

/**
 * Clusters and their durable operations. Credentials are never stored here: drivers keep them (the local
 * driver in a file only the backend can read, Kubernetes in a Secret).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('clusters', table => {
    table.comment('Orochi clusters: desired spec and last observed state');
    table.string('id').primary().comment('uuid');
    table.string('name').notNullable().unique().comment('DNS-1123 label, unique across owners');
    table.string('owner').notNullable().index().comment('owning group entity ref');
    table.string('status').notNullable().index();
    table.text('status_message');
    table.text('spec').notNullable().comment('JSON ClusterSpec: what the owner asked for');
    table.text('observed').notNullable().comment('JSON: conditions, endpoints, readyInstances');
    table.string('driver').notNullable();
    table.string('database_name').notNullable().comment('the application database');
    table.string('database_user').notNullable().comment('the application role; its password stays with the driver');
    table.string('current_operation_id');
    table.string('created_by').notNullable();
    table.string('created_at').notNullable().comment('ISO 8601');
    table.string('updated_at').notNullable().comment('ISO 8601');
  });

  await knex.schema.createTable('operations', table => {
    table.comment('Durable changes to clusters, executed step by step by a worker');
    table.string('id').primary().comment('uuid');
    table.string('cluster_id').notNullable().index();
    table.string('cluster_name').notNullable();
    table.string('cluster_owner').notNullable().comment('kept for authorization after the cluster is gone');
    table
      .string('active_cluster_id')
      .unique()
      .comment('cluster_id while pending or running, else null: one active operation per cluster');
    table.string('type').notNullable();
    table.string('state').notNullable().index();
    table.text('steps').notNullable().comment('JSON OperationStep[] of the current attempt');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('error');
    table.string('idempotency_key').unique();
    table.string('requested_by').notNullable();
    table.string('lease_owner');
    table.bigInteger('lease_expires_at').comment('epoch ms');
    table.bigInteger('not_before').comment('epoch ms; retries wait until then');
    table.string('created_at').notNullable();
    table.string('updated_at').notNullable();
    table.string('finished_at');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('operations');
  await knex.schema.dropTable('clusters');
};
