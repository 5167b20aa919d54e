/**
 * Why a client cannot be connected, sent to it as a FATAL ErrorResponse with this message,
 * SQLSTATE and hint. The default 57P03 (cannot_connect_now) makes libpq try the next host.
 */
export class ProxyRefusal extends Error {
  constructor(
    message: string,
    readonly sqlState: string = '57P03',
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ProxyRefusal';
  }
}
