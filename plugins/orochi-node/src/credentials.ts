import { randomBytes } from 'node:crypto';

/** A password of 32 URL-safe characters (192 bits), safe in a connection URI without escaping. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
