// ${{ values.name }}: answers GET / with the time its database reports.
// Set PGPASSWORD from the cluster's page (${{ values.credentialsUrl }}); the rest comes from the environment
// with these defaults.
const http = require('node:http');
const { Pool } = require('pg');

const pool = new Pool({
  host: process.env.PGHOST ?? '${{ values.databaseHost }}',
  port: Number(process.env.PGPORT ?? ${{ values.databasePort }}),
  database: process.env.PGDATABASE ?? '${{ values.databaseName }}',
  user: process.env.PGUSER ?? '${{ values.databaseUser }}',
});

http
  .createServer(async (_req, res) => {
    const { rows } = await pool.query('SELECT now() AS now');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ service: '${{ values.name }}', databaseTime: rows[0].now }));
  })
  .listen(Number(process.env.PORT ?? 8080));
