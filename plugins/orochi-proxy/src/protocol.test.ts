import { cancelRequest, errorFields, gssencRequest, sslRequest, startupMessage } from './__testUtils__/wire';
import { encodeErrorResponse, MAX_STARTUP_PACKET_LENGTH, parseStartupFrame } from './protocol';

describe('parseStartupFrame', () => {
  it('frames the packets a client sends first', () => {
    const startup = startupMessage({ user: 'app', database: 'orders' });
    expect(parseStartupFrame(startup)).toEqual({ status: 'complete', kind: 'startup', length: startup.length });
    expect(parseStartupFrame(sslRequest())).toEqual({ status: 'complete', kind: 'ssl', length: 8 });
    expect(parseStartupFrame(gssencRequest())).toEqual({ status: 'complete', kind: 'gssenc', length: 8 });
    expect(parseStartupFrame(cancelRequest(42, 7))).toEqual({ status: 'complete', kind: 'cancel', length: 16 });
  });

  it('waits for the rest of a packet split across reads', () => {
    const startup = startupMessage({ user: 'app' });
    expect(parseStartupFrame(startup.subarray(0, 3))).toEqual({ status: 'incomplete' });
    expect(parseStartupFrame(startup.subarray(0, 9))).toEqual({ status: 'incomplete' });
  });

  it('accepts protocol 3.2 and the longer cancel keys it brings', () => {
    const startup = startupMessage({ user: 'app' });
    startup.writeUInt32BE((3 << 16) | 2, 4);
    expect(parseStartupFrame(startup)).toMatchObject({ kind: 'startup' });
    const cancel = Buffer.concat([cancelRequest(42, 7), Buffer.alloc(28)]);
    cancel.writeUInt32BE(cancel.length, 0);
    expect(parseStartupFrame(cancel)).toMatchObject({ kind: 'cancel', length: 44 });
  });

  it('treats a first byte of 0x16 as a TLS ClientHello', () => {
    expect(parseStartupFrame(Buffer.from([0x16, 3, 1]))).toEqual({ status: 'complete', kind: 'tls', length: 3 });
  });

  it('rejects garbage as soon as the header shows it', () => {
    const oversized = Buffer.alloc(8);
    oversized.writeUInt32BE(MAX_STARTUP_PACKET_LENGTH + 1, 0);
    expect(parseStartupFrame(oversized)).toMatchObject({ status: 'invalid' });
    expect(parseStartupFrame(Buffer.from('GET / HTTP/1.1'))).toMatchObject({ status: 'invalid' });
    const protocol2 = startupMessage({ user: 'app' });
    protocol2.writeUInt32BE(2 << 16, 4);
    expect(parseStartupFrame(protocol2.subarray(0, 8))).toEqual({ status: 'invalid', reason: 'unsupported frontend protocol or invalid startup packet' });
    const longSsl = Buffer.concat([sslRequest(), Buffer.alloc(4)]);
    longSsl.writeUInt32BE(12, 0);
    expect(parseStartupFrame(longSsl)).toMatchObject({ status: 'invalid' });
  });
});

describe('encodeErrorResponse', () => {
  it('encodes S, V, C, M and H fields, ending with a zero byte', () => {
    const bytes = encodeErrorResponse({ sqlState: '57P03', message: 'waking up', hint: 'wait' });
    expect(bytes.toString('latin1', 0, 1)).toBe('E');
    expect(bytes.readUInt32BE(1)).toBe(bytes.length - 1);
    expect(bytes[bytes.length - 1]).toBe(0);
    expect(errorFields(bytes.subarray(5))).toEqual({ S: 'FATAL', V: 'FATAL', C: '57P03', M: 'waking up', H: 'wait' });
  });

  it('omits a missing hint and keeps UTF-8 text intact', () => {
    const bytes = encodeErrorResponse({ sqlState: 'XX000', message: 'Clúster „zahlungen“ schläft' });
    expect(bytes.readUInt32BE(1)).toBe(bytes.length - 1);
    expect(errorFields(bytes.subarray(5))).toEqual({ S: 'FATAL', V: 'FATAL', C: 'XX000', M: 'Clúster „zahlungen“ schläft' });
  });
});
