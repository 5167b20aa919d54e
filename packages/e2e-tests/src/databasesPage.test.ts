import { Browser } from 'playwright-core';
import { openBrowser, saveScreenshot } from './browser';
import { Portal, startPortal } from './portal';

jest.setTimeout(300_000);

describe('the portal on its embedded defaults', () => {
  let portal: Portal;
  let browser: Browser;

  beforeAll(async () => {
    portal = await startPortal();
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('lets the guest sign in and open the Databases page', async () => {
    const page = await browser.newPage();
    await page.goto(portal.appUrl);
    await page.getByRole('button', { name: 'Enter' }).click();

    await page
      .getByRole('navigation')
      .getByRole('link', { name: 'Databases' })
      .click();

    await page.getByText('No databases yet').waitFor();
    expect(new URL(page.url()).pathname).toBe('/orochi');
    await saveScreenshot(page, 'databases-page');
  });
});
