import { execFile } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A fresh self-signed certificate for `dnsNames` (the first is the subject) and its key, as files in `directory`. */
export async function selfSignedCertificate(directory: string, dnsNames: string[]): Promise<{ key: string; certificate: string }> {
  const key = join(directory, 'server.key');
  const certificate = join(directory, 'server.crt');
  await exec('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${dnsNames[0]}`, '-days', '1',
    '-addext', `subjectAltName=${dnsNames.map(name => `DNS:${name}`).join(',')}`,
    '-keyout', key, '-out', certificate,
  ]);
  // PostgreSQL refuses a key file that others can read.
  chmodSync(key, 0o600);
  return { key, certificate };
}
