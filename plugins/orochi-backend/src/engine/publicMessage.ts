import { stringifyError } from '@backstage/errors';

/** An absolute file path in a message: after a space, a quote, a bracket, "=" or ":", or at the start. */
const ABSOLUTE_PATH = /(?<=^|[\s"'(=:])\/(?:[^\s"'():,;/]+\/)+([^\s"'():,;/]*)/g;

/**
 * What an error says, fit for the API and the portal: file paths on the backend host are cut to their last part
 * (the full message goes to the backend's log).
 */
export function publicMessage(error: unknown): string {
  return stringifyError(error).replace(ABSOLUTE_PATH, (_path, last: string) => last || '…');
}
