/**
 * The message of an Orochi API error answer (it names the field for invalid input), else the error's own.
 * Checked by shape: the ResponseError may come from another copy of @backstage/errors than the caller's.
 */
export function describeApiError(error: unknown): string {
  const body = (error as { body?: { error?: { message?: unknown } } })?.body;
  if (typeof body?.error?.message === 'string') return body.error.message;
  return error instanceof Error ? error.message : String(error);
}
