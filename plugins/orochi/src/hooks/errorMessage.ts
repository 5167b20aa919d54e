/**
 * The message the Orochi API gave (it names the field for invalid input), or the error's own. Checked by shape:
 * a ResponseError may come from another copy of @backstage/errors than this module's.
 */
export function errorMessage(error: unknown): string {
  const body = (error as { body?: { error?: { message?: unknown } } })?.body;
  if (typeof body?.error?.message === 'string') return body.error.message;
  return error instanceof Error ? error.message : String(error);
}
