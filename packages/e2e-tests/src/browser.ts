import { mkdirSync } from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Screenshots land here; the folder is git-ignored. */
export const screenshotDir = resolvePackagePath('e2e-tests', 'screenshots');

/**
 * Debian's Chromium, never a downloaded browser. The flags keep it from reaching out to the network, which is
 * closed here.
 */
export async function openBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.OROCHI_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function saveScreenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
