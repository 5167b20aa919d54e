// @ts-check

/**
 * Clusters gained `pooling` in their spec; earlier ones had none, which means disabled.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const rows = await knex('clusters').select('id', 'spec');
  for (const row of rows) {
    const spec = JSON.parse(row.spec);
    if (spec.pooling) continue;
    spec.pooling = { enabled: false };
    await knex('clusters').where({ id: row.id }).update({ spec: JSON.stringify(spec) });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  const rows = await knex('clusters').select('id', 'spec');
  for (const row of rows) {
    const { pooling: _pooling, ...spec } = JSON.parse(row.spec);
    await knex('clusters').where({ id: row.id }).update({ spec: JSON.stringify(spec) });
  }
};
