// The ${{ values.name | dump }} service: answers GET / with the time its database reports.
// Set PGPASSWORD from the cluster's page, ${{ values.credentialsUrl | dump }}; the rest comes from the environment
// with these defaults.
const http = require('node:http');
const { Pool } = require('pg');

const pool = new Pool({
  host: process.env.PGHOST ?? ${{ values.databaseHost | dump }},
  port: Number(process.env.PGPORT ?? ${{ values.databasePort | dump }}),
  database: process.env.PGDATABASE ?? ${{ values.databaseName | dump }},
  user: process.env.PGUSER ?? ${{ values.databaseUser | dump }},
});

http
  .createServer(async (_req, res) => {
    const { rows } = await pool.query('SELECT now() AS now');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ service: ${{ values.name | dump }}, databaseTime: rows[0].now }));
  })
  .listen(Number(process.env.PORT ?? 8080));
