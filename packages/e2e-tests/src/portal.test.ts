import { connect, eventually } from '@orochi/test-utils';
import { Browser, Page } from 'playwright-core';
import { openBrowser, saveScreenshot } from './browser';
import { Portal, startPortal } from './portal';

jest.setTimeout(600_000);

/** Waits for a condition in the page; Orochi's pages follow operations by polling too. */
const until = (what: string, check: () => Promise<boolean>) => eventually(what, async () => ((await check()) ? true : undefined));

const status = (page: Page) => page.getByTestId('cluster-status').first().textContent();

describe('the portal on its embedded defaults', () => {
  let portal: Portal;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    portal = await startPortal();
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(portal.appUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('shows the example org’s clusters on the Databases page', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Databases' }).click();
    expect(new URL(page.url()).pathname).toBe('/orochi');
    await page.getByRole('link', { name: 'payments-db' }).waitFor();
    await page.getByRole('link', { name: 'search-db' }).waitFor();
    await saveScreenshot(page, '01-databases');
  });

  it('creates a cluster through the template and runs it through its day-two actions', async () => {
    // Create through the orochi-cluster template.
    await page.getByRole('link', { name: 'Create database' }).click();
    await page.getByLabel('Name').first().fill('e2e-db');
    const owner = page.getByRole('textbox', { name: 'Owner' });
    await owner.click();
    await owner.fill('team-payments');
    await page.getByRole('option', { name: /team-payments/ }).first().click();
    await saveScreenshot(page, '02-template-cluster');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Small (1 CU: 1 vCPU, 2 GiB)').first().waitFor();
    await saveScreenshot(page, '03-template-size');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Connection details and password').waitFor({ timeout: 120_000 });
    await saveScreenshot(page, '04-template-done');

    // It is ready on the Databases page.
    await page.getByRole('navigation').getByRole('link', { name: 'Databases' }).click();
    const row = page.getByRole('row', { name: /e2e-db/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('ready');
    await row.getByRole('link', { name: 'e2e-db' }).click();
    await page.getByRole('heading', { name: 'e2e-db' }).waitFor();

    // Reveal the credentials and connect with a real PostgreSQL client.
    await page.getByRole('button', { name: 'Reveal password' }).click();
    await page.getByLabel('Password', { exact: true }).waitFor();
    const uri = (await page.getByLabel('URI', { exact: true }).textContent())!;
    expect(uri).toMatch(/^postgresql:\/\/app:[^@]+@localhost:\d+\/app$/);
    await saveScreenshot(page, '05-cluster-revealed');
    const client = await connect({ uri });
    await client.query('CREATE TABLE visits (at timestamptz DEFAULT now())');
    await client.query('INSERT INTO visits DEFAULT VALUES');
    await client.end();

    // Hibernate: connections are refused; wake: the data is there.
    await page.getByRole('button', { name: 'Hibernate' }).click();
    await until('hibernated', async () => (await status(page)) === 'hibernated');
    await saveScreenshot(page, '06-cluster-hibernated');
    await expect(connect({ uri })).rejects.toThrow(/ECONNREFUSED/);
    await page.getByRole('button', { name: 'Wake' }).click();
    await until('awake', async () => (await status(page)) === 'ready');
    const woken = await connect({ uri });
    expect((await woken.query('SELECT count(*)::int AS n FROM visits')).rows).toEqual([{ n: 1 }]);
    await woken.end();

    // Resize to medium.
    await page.getByRole('button', { name: /Size/ }).first().click();
    await page.getByRole('option', { name: /Medium/ }).click();
    await page.getByRole('button', { name: 'Resize' }).click();
    await until('resized', async () => (await status(page)) === 'ready' && (await page.getByText(/PostgreSQL \d+ · medium/).count()) > 0);
    await saveScreenshot(page, '07-cluster-resized');

    // Delete, with the name typed, and it leaves the Databases page.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('textbox', { name: 'Type e2e-db to confirm' }).fill('e2e-db');
    await page.getByRole('button', { name: 'Delete cluster' }).click();
    await page.waitForURL(url => url.pathname === '/orochi');
    await until('the cluster to be gone', async () => {
      await page.reload();
      await page.getByRole('link', { name: 'payments-db' }).waitFor();
      return (await page.getByRole('link', { name: 'e2e-db' }).count()) === 0;
    });
    await saveScreenshot(page, '08-databases-after-delete');
  });
});
