import { connect, eventually, FakeStripe } from '@orochi/test-utils';
import { Browser, Locator, Page } from 'playwright-core';
import { openBrowser, saveScreenshot } from './browser';
import { Portal, startPortal } from './portal';

jest.setTimeout(600_000);

/** Waits for a condition in the page; Orochi's pages follow operations by polling too. */
const until = (what: string, check: () => Promise<boolean>) => eventually(what, async () => ((await check()) ? true : undefined));

const status = (page: Page) => page.getByTestId('cluster-status').first().textContent();

/** Reveals the open cluster's password and answers its URI, which carries it once the reveal has answered. */
async function revealedUri(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Reveal password' }).click();
  await page.getByLabel('Password', { exact: true }).waitFor();
  return (await page.getByLabel('URI', { exact: true }).textContent())!;
}

/** A common laptop screen: what a user sees without scrolling. */
const viewport = { width: 1440, height: 900 };

/**
 * Why a user would not see the element without scrolling, or nothing: its box must lie inside the window, no
 * ancestor that clips its overflow may cut it off, and nothing may cover its centre. (Playwright's `toBeVisible`
 * passes for an element scrolled out of sight inside a clipping ancestor, which is how the card used to hide.)
 */
function whyNotInFirstScreen(locator: Locator): Promise<string[]> {
  return locator.evaluate(element => {
    const problems: string[] = [];
    const box = element.getBoundingClientRect();
    const describe = (r: DOMRect) => `${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)}`;
    if (box.width === 0 || box.height === 0) problems.push('it has no size');
    if (box.top < 0 || box.left < 0 || box.bottom > window.innerHeight || box.right > window.innerWidth) {
      problems.push(`it spans ${describe(box)}, outside the ${window.innerWidth}×${window.innerHeight} window`);
    }
    for (let ancestor = element.parentElement; ancestor; ancestor = ancestor.parentElement) {
      const style = getComputedStyle(ancestor);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const clip = ancestor.getBoundingClientRect();
      if (box.top < clip.top || box.bottom > clip.bottom || box.left < clip.left || box.right > clip.right) {
        problems.push(`it spans ${describe(box)}, but <${ancestor.tagName.toLowerCase()} class="${ancestor.className}"> shows only ${describe(clip)} (overflow ${style.overflowY})`);
      }
    }
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!hit || !element.contains(hit)) problems.push(`its centre shows <${hit?.tagName.toLowerCase() ?? 'nothing'}>`);
    return problems;
  });
}

/**
 * Opens an entity's overview, waits for the Orochi card showing the cluster and for the layout to settle, and says
 * why the card is not on the first screen (nothing when it is).
 */
async function orochiCardOffScreen(page: Page, url: string, card: { title: string; cluster: string }): Promise<string[]> {
  const region = page.getByRole('region', { name: card.title });
  // The entity may still be on its way into the catalog (a published service is read once the template is done).
  await until(`the ${card.title} card at ${url}`, async () => {
    await page.goto(url);
    return region
      .getByRole('link', { name: card.cluster })
      .waitFor({ timeout: 15_000 })
      .then(() => true, () => false);
  });
  // The overview's other cards load beside it; the layout has settled once they show.
  await page.getByRole('heading', { name: 'About', exact: true }).first().waitFor();
  await page.getByRole('heading', { name: 'Relations', exact: true }).first().waitFor();
  await until(`the ${card.title} card in the first screen`, async () => (await whyNotInFirstScreen(region)).length === 0).catch(() => undefined);
  return whyNotInFirstScreen(region);
}

describe('the portal on its embedded defaults', () => {
  let portal: Portal;
  let browser: Browser;
  let page: Page;

  const stripe = new FakeStripe();

  beforeAll(async () => {
    // Stripe is the one part that cannot run here: the portal bills through a local fake speaking its API.
    await stripe.start();
    portal = await startPortal({
      orochi: {
        billing: {
          stripe: {
            secretKey: stripe.apiKey,
            webhookSecret: stripe.webhookSecret,
            api: { host: '127.0.0.1', port: stripe.port, protocol: 'http' },
            plans: { pro: stripe.createPlanPrices('pro', 29), team: stripe.createPlanPrices('team', 99) },
          },
        },
      },
    });
    browser = await openBrowser();
    page = await browser.newPage({ viewport });
    await page.goto(portal.appUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await stripe.stop();
  });

  it('shows the example org’s clusters on the Databases page', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Databases' }).click();
    expect(new URL(page.url()).pathname).toBe('/orochi');
    await page.getByRole('link', { name: 'payments-db' }).waitFor();
    await page.getByRole('link', { name: 'search-db' }).waitFor();
    await saveScreenshot(page, '01-databases');
  });

  it('shows the Orochi card on a cluster’s overview without scrolling', async () => {
    const offScreen = await orochiCardOffScreen(page, `${portal.appUrl}/catalog/default/resource/payments-db`, {
      title: 'Orochi database',
      cluster: 'payments-db',
    });
    expect(offScreen).toEqual([]);
    await saveScreenshot(page, '01b-cluster-entity-overview');
  });

  it('creates a cluster through the template and runs it through its day-two actions', async () => {
    // Create through the orochi-cluster template, from the Databases page.
    await page.getByRole('navigation').getByRole('link', { name: 'Databases' }).click();
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
    const uri = await revealedUri(page);
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
    await expect(connect({ uri })).rejects.toThrow('cluster e2e-db is hibernated by a user; wake it in Orochi to connect');
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

  it('creates a service with its database through the template; its overview shows the Orochi card without scrolling', async () => {
    const description = 'Bills "e2e": #1 at 09:00 & more';
    await page.goto(`${portal.appUrl}/create/templates/default/service-with-database`);
    await page.getByLabel('Name').first().fill('e2e-svc');
    await page.getByRole('textbox', { name: 'Description' }).first().fill(description);
    const owner = page.getByRole('textbox', { name: 'Owner' });
    await owner.click();
    await owner.fill('team-payments');
    await page.getByRole('option', { name: /team-payments/ }).first().click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Small (1 CU: 1 vCPU, 2 GiB)').first().waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('The service in the catalog').waitFor({ timeout: 120_000 });
    await saveScreenshot(page, '09-template-service-done');

    const offScreen = await orochiCardOffScreen(page, `${portal.appUrl}/catalog/default/component/e2e-svc`, {
      title: 'Orochi databases',
      cluster: 'e2e-svc-db',
    });
    expect(offScreen).toEqual([]);
    // The description, quotes, colon and # included, reached the catalog as typed.
    await page.getByText(description, { exact: true }).first().waitFor();
    await saveScreenshot(page, '10-service-entity-overview');
  });

  it('restores a cluster to a point in time and creates and deletes a branch through the portal', async () => {
    const openCluster = async (name: string) => {
      // The sidebar's link; a cluster page's breadcrumbs link to the Databases page too.
      await page.getByTestId('sidebar-root').getByRole('link', { name: 'Databases' }).click();
      // The list's link carries the cluster's system as its description.
      await page.getByRole('link', { name: new RegExp(`^${name}\\b`) }).first().click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
    };
    await openCluster('payments-db');
    const source = await connect({ uri: await revealedUri(page) });
    await source.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');

    // The card follows the backup's operation and reads the backups again when it ends.
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('table', { name: 'Backups' }).getByText('completed').first().waitFor({ timeout: 180_000 });

    // The picker takes whole seconds: A commits before a second begins, B after it.
    await source.query(`INSERT INTO notes (note) VALUES ('A')`);
    await source.query(`SELECT pg_sleep(1.05 - extract(milliseconds FROM clock_timestamp())::numeric % 1000 / 1000)`);
    const noted: Date = (await source.query(`SELECT date_trunc('second', now()) AS at`)).rows[0].at;
    await source.query(`INSERT INTO notes (note) VALUES ('B')`);
    await source.end();

    await page.reload();
    await page.getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore cluster' });
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${noted.getFullYear()}-${pad(noted.getMonth() + 1)}-${pad(noted.getDate())}T${pad(noted.getHours())}:${pad(noted.getMinutes())}:${pad(noted.getSeconds())}`;
    await dialog.getByLabel('Restore to').fill(local);
    await dialog.getByRole('textbox', { name: 'New cluster name' }).fill('e2e-restored');
    await saveScreenshot(page, '11-restore-dialog');
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await dialog.getByRole('link', { name: 'Open e2e-restored' }).waitFor({ timeout: 180_000 });
    await saveScreenshot(page, '12-restore-done');
    await dialog.getByRole('link', { name: 'Open e2e-restored' }).click();
    await page.getByRole('heading', { name: 'e2e-restored', exact: true }).waitFor();
    await page.getByLabel('Origin').getByRole('link', { name: 'payments-db' }).waitFor();
    const restored = await connect({ uri: await revealedUri(page) });
    expect((await restored.query('SELECT note FROM notes ORDER BY id')).rows).toEqual([{ note: 'A' }]);
    await restored.end();

    // A branch of payments-db, then deleted again from its parent's page.
    await openCluster('payments-db');
    await page.getByRole('button', { name: 'Create branch' }).click();
    const create = page.getByRole('dialog', { name: 'Create branch' });
    await create.getByRole('textbox', { name: 'Branch name' }).fill('e2e-branch');
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    // The card follows its branches while one is changing.
    const branchRow = page.getByRole('row', { name: 'e2e-branch', exact: true });
    await branchRow.getByText('ready').waitFor({ timeout: 180_000 });
    expect(await branchRow.textContent()).toMatch(/expires in/);
    await saveScreenshot(page, '13-branches');
    await branchRow.getByRole('button', { name: 'Delete branch' }).click();
    await page.getByRole('dialog', { name: /Delete branch e2e-branch/ }).getByRole('button', { name: 'Delete', exact: true }).click();
    await branchRow.waitFor({ state: 'detached', timeout: 180_000 });
    await page.getByText('No branches.').waitFor();
  });

  it('shows the team’s usage and projected invoice on the Billing page, and follows Upgrade to Stripe’s checkout', async () => {
    await page.getByTestId('sidebar-root').getByRole('link', { name: 'Databases' }).click();
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    expect(new URL(page.url()).pathname).toBe('/orochi/billing');
    await page.getByTestId('billing-plan').waitFor();
    expect(await page.getByTestId('billing-plan').textContent()).toContain('Pro · $29.00 a month');
    // The example clusters have run since the portal started: the usage job has metered their compute.
    const compute = page.getByRole('list', { name: 'Usage per meter' }).getByRole('listitem').first();
    await until('metered compute on the Billing page', async () => {
      await page.reload();
      await compute.waitFor();
      return !/^0\.00 CU-hours$/.test((await compute.textContent()) ?? '');
    });
    expect(await page.getByTestId('invoice-projected').textContent()).toMatch(/^\$\d+\.\d{2} by \d{4}-\d{2}-\d{2}, at the current rate$/);
    await page.getByRole('table', { name: 'Usage per cluster' }).getByRole('cell', { name: 'payments-db' }).waitFor();
    await saveScreenshot(page, '20-billing');

    await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
    await page.waitForURL(url => url.href.startsWith(`http://127.0.0.1:${stripe.port}/c/pay/`));
    await page.getByRole('heading', { name: /^Checkout cs_/ }).waitFor();
    const session = [...stripe.checkoutSessions.values()].at(-1)!;
    expect(session).toMatchObject({ client_reference_id: 'group:default/team-payments', mode: 'subscription' });
    await saveScreenshot(page, '21-checkout');
  });
});
