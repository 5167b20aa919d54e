export { startPortal } from './portal';
export type { Portal } from './portal';
export { openBrowser, saveScreenshot } from './browser';
