import { wrapServer } from '@backstage/backend-openapi-utils/testUtils';
import express from 'express';
import dns from 'node:dns';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const HOP_BY_HOP = new Set(['connection', 'content-length', 'content-encoding', 'transfer-encoding', 'keep-alive', 'host']);

/**
 * mockttp (under wrapServer) resolves `localhost` for IPv6 when `::1` listens, and this machine's /etc/hosts
 * names only 127.0.0.1: answer that lookup with `::1`.
 */
function resolveLocalhostForIpv6() {
  const lookup = dns.lookup as unknown as (...args: unknown[]) => void;
  if ((lookup as { orochiPatched?: boolean }).orochiPatched) return;
  const patched = (hostname: string, options: unknown, callback?: unknown) => {
    const family = typeof options === 'object' && options ? (options as { family?: number }).family : options;
    if (hostname === 'localhost' && family === 6 && typeof callback === 'function') {
      const all = typeof options === 'object' && options && (options as { all?: boolean }).all;
      process.nextTick(() => (all ? callback(null, [{ address: '::1', family: 6 }]) : callback(null, '::1', 6)));
      return;
    }
    lookup(hostname, options, callback);
  };
  (patched as { orochiPatched?: boolean }).orochiPatched = true;
  (dns as { lookup: unknown }).lookup = patched;
}

/**
 * The base URL of a server that forwards to a plugin's routes on a test backend (mounted at `basePath`) through
 * Backstage's `wrapServer`, which checks every request and response against `document`, the plugin's OpenAPI
 * document: a route, status or body the document does not describe fails the test that caused it.
 */
export async function openApiCheckedUrl(backend: Server, basePath: string, document: object): Promise<string> {
  resolveLocalhostForIpv6();
  const { port } = backend.address() as AddressInfo;
  const app = express();
  // What wrapServer checks against: the document as the plugin states it, with paths relative to this server.
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(express.raw({ type: () => true, limit: '5mb' }), async (req, res) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)) as Array<[string, string]>,
    );
    const upstream = await fetch(`http://127.0.0.1:${port}${basePath}${req.url}`, {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method) || !Buffer.isBuffer(req.body) ? undefined : req.body,
    });
    res.status(upstream.status);
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) res.setHeader(name, value);
    });
    res.send(Buffer.from(await upstream.arrayBuffer()));
  });
  const wrapped = await wrapServer(app);
  return String(wrapped.address()).replace(/\/$/, '');
}
