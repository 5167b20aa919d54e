import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
import { format } from 'node:util';

// Tests wait for what they assert (findBy*, waitFor), never for a fixed time. On a busy 2-core CI machine a test
// app can take seconds to render, so each wait may take up to 15 s (testing-library's default is 1 s), and a test
// as a whole up to a minute (Jest's default is 5 s).
configure({ asyncUtilTimeout: 15_000 });
jest.setTimeout(60_000);

// React's act() warnings mean a state update happened while no test was waiting for it: the test asserted too
// early or ended before the component settled. Each one fails the test it came from, so they are fixed where they
// arise rather than accumulating in the output. (testing-library's cleanup, registered by the import above, runs
// before this hook, so updates during unmount count too.)
const actWarnings: string[] = [];
// eslint-disable-next-line no-console -- the test output keeps every message; this only also records act() ones
const consoleError = console.error.bind(console);
// eslint-disable-next-line no-console
console.error = (...args: unknown[]) => {
  const message = format(...args);
  if (/\bact\(/.test(message)) actWarnings.push(message.split('\n')[0]);
  consoleError(...args);
};
afterEach(() => {
  const warnings = actWarnings.splice(0);
  if (warnings.length) {
    throw new Error(`React warned about updates outside act() (${warnings.length}):\n${warnings.join('\n')}`);
  }
});
