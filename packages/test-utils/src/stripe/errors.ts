/** Stripe's error body, `{"error": {...}}`, with the HTTP status it comes with. */
export class StripeFakeError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }

  static missing(param: string) {
    return new StripeFakeError(400, { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` });
  }

  static noSuch(kind: string, id: string) {
    return new StripeFakeError(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such ${kind}: '${id}'` });
  }

  static invalid(param: string, message: string) {
    return new StripeFakeError(400, { type: 'invalid_request_error', param, message });
  }
}
