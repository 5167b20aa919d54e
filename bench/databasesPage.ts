// The Databases page in Debian's Chromium with 1,000 clusters: the portal started as `./orochi start` does (the
// development bundle), on a data directory seeded with cluster records, timed until the table shows them.
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseOrochiStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseOrochiStore';
import { clusterSpec } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { openBrowser, startPortal } from 'e2e-tests';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summary } from './lib';

const CLUSTERS = 1000;
const RUNS = 5;

async function seed(dataDir: string) {
  mkdirSync(join(dataDir, 'backstage'), { recursive: true });
  // The portal's own examples would only add noise.
  writeFileSync(join(dataDir, 'example-clusters.json'), '{"created":[]}\n');
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dataDir, 'backstage', 'orochi.sqlite') },
    useNullAsDefault: true,
    pool: { afterCreate: (connection: any, done: () => void) => (connection.pragma('synchronous = OFF'), done()) },
  });
  const store = await DatabaseOrochiStore.create({ database: mockServices.database({ knex }) });
  for (let i = 0; i < CLUSTERS; i++) {
    const owner = i % 2 ? 'team-payments' : 'team-search';
    const { operation } = await store.createCluster(
      {
        id: randomUUID(),
        spec: clusterSpec(`page-${String(i).padStart(4, '0')}`, { owner: `group:default/${owner}` }),
        status: 'provisioning',
        driver: 'local',
        database: 'app',
        user: 'app',
        createdBy: 'user:default/bench',
      },
      { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/bench' },
    );
    const claim = await store.claimOperation('bench-seed', 60_000);
    await store.finishOperation(operation.id, claim!.leaseToken, { state: 'succeeded', clusterStatus: 'ready' });
  }
  await knex.destroy();
}

export async function databasesPage() {
  const portal = await startPortal({ prepare: seed });
  const browser = await openBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(portal.appUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Databases' }).waitFor();
    const reload: number[] = [];
    const firstPage: number[] = [];
    const hundredRows: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      await page.goto(`${portal.appUrl}/orochi`);
      await page.getByRole('link', { name: 'page-0019' }).waitFor();
      reload.push(performance.now() - started);

      // Within the app, as a user moves between pages: from the catalog to Databases.
      await page.getByRole('link', { name: 'Catalog', exact: true }).first().click();
      await page.getByRole('link', { name: 'payments-api' }).waitFor();
      started = performance.now();
      await page.getByRole('navigation').getByRole('link', { name: 'Databases' }).click();
      await page.getByRole('link', { name: 'page-0019' }).waitFor();
      firstPage.push(performance.now() - started);

      await page.getByRole('button', { name: /Show 20 results/ }).click();
      const switched = performance.now();
      await page.getByRole('option', { name: /100/ }).click();
      await page.getByRole('link', { name: 'page-0099' }).waitFor();
      hundredRows.push(performance.now() - switched);
    }
    console.log(`full page load of /orochi (the app's own start included), first 20 of ${CLUSTERS}: ${summary(reload)}`);
    console.log(`from the catalog to Databases in the app, first 20 of ${CLUSTERS} rendered: ${summary(firstPage)}`);
    console.log(`switch to 100 rows per page until the 100th row shows: ${summary(hundredRows)}`);
  } finally {
    await browser.close();
    await portal.stop();
  }
}
