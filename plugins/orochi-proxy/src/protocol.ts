/**
 * The few parts of the PostgreSQL wire protocol the proxy speaks itself: framing the packets a
 * client sends before the server answers, and the ErrorResponse it sends when it cannot connect.
 */

/** PostgreSQL's own limit for a startup packet (MAX_STARTUP_PACKET_LENGTH in pqcomm.h). */
export const MAX_STARTUP_PACKET_LENGTH = 10000;

const CANCEL_REQUEST_CODE = 80877102;
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
/** A TLS record starts with content type 22 (handshake): a PostgreSQL 17 client using sslnegotiation=direct. */
const TLS_HANDSHAKE_BYTE = 0x16;
/** Protocol 3.2 (PostgreSQL 18) allows cancel keys of up to 256 bytes, so cancel packets vary in length. */
const MAX_CANCEL_KEY_LENGTH = 256;

export type StartupPacketKind = 'startup' | 'ssl' | 'gssenc' | 'cancel' | 'tls';

export type StartupFrame =
  | { status: 'incomplete' }
  | { status: 'invalid'; reason: string }
  | { status: 'complete'; kind: StartupPacketKind; length: number };

/** The single byte that declines SSLRequest or GSSENCRequest; the client goes on in plaintext. */
export const DECLINE_ENCRYPTION = Buffer.from('N');
/** The single byte that accepts SSLRequest; the client's TLS handshake follows. */
export const ACCEPT_SSL = Buffer.from('S');

/**
 * Frames the packet at the start of `buffer`: Int32 length (counting itself), Int32 code, body.
 * Garbage is reported as soon as the first 8 bytes show it, so a stray HTTP request is not held.
 */
export function parseStartupFrame(buffer: Buffer): StartupFrame {
  if (buffer.length > 0 && buffer[0] === TLS_HANDSHAKE_BYTE) {
    // The ClientHello is relayed as it arrives; the server reads the TLS framing itself.
    return { status: 'complete', kind: 'tls', length: buffer.length };
  }
  if (buffer.length < 4) return { status: 'incomplete' };
  const length = buffer.readUInt32BE(0);
  if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
    return { status: 'invalid', reason: `invalid length of startup packet (${length})` };
  }
  if (buffer.length < 8) return { status: 'incomplete' };
  const kind = kindOf(buffer.readUInt32BE(4), length);
  if (!kind) return { status: 'invalid', reason: 'unsupported frontend protocol or invalid startup packet' };
  if (buffer.length < length) return { status: 'incomplete' };
  return { status: 'complete', kind, length };
}

function kindOf(code: number, length: number): StartupPacketKind | undefined {
  switch (code) {
    case SSL_REQUEST_CODE:
      return length === 8 ? 'ssl' : undefined;
    case GSSENC_REQUEST_CODE:
      return length === 8 ? 'gssenc' : undefined;
    case CANCEL_REQUEST_CODE:
      return length >= 16 && length <= 12 + MAX_CANCEL_KEY_LENGTH ? 'cancel' : undefined;
    default:
      // Any 3.x minor version: the server negotiates the minor version itself.
      return code >>> 16 === 3 ? 'startup' : undefined;
  }
}

/** The parameters of a StartupMessage (user, database, options, ...): name-value C strings after the code. */
export function startupParameters(packet: Buffer): Record<string, string> {
  const fields = packet.subarray(8, packet.length - 1).toString('utf8').split('\0');
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) parameters[fields[i]] = fields[i + 1];
  return parameters;
}

/** A StartupMessage with the same protocol version as `packet` and these parameters instead of its own. */
export function encodeStartupMessage(packet: Buffer, parameters: Record<string, string>): Buffer {
  const body = Buffer.concat([
    ...Object.entries(parameters).map(([name, value]) => Buffer.from(`${name}\0${value}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(body.length + 8, 0);
  packet.copy(header, 4, 4, 8);
  return Buffer.concat([header, body]);
}

export interface ErrorFields {
  severity?: 'FATAL' | 'ERROR';
  sqlState: string;
  message: string;
  hint?: string;
}

/** An ErrorResponse ('E'): fields S, V, C, M and optionally H, each a type byte and a C string, then a 0. */
export function encodeErrorResponse(fields: ErrorFields): Buffer {
  const severity = fields.severity ?? 'FATAL';
  const parts: Array<[string, string]> = [
    ['S', severity],
    ['V', severity],
    ['C', fields.sqlState],
    ['M', fields.message],
  ];
  if (fields.hint) parts.push(['H', fields.hint]);
  const body = Buffer.concat([
    ...parts.map(([type, value]) => Buffer.from(`${type}${value.replace(/\0/g, '')}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
