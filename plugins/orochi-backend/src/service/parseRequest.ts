import { InputError } from '@backstage/errors';
import { describeValidationError } from '@orochi/backstage-plugin-orochi-common';
import { z } from 'zod';

/**
 * Parses a request's body (or query) with a domain schema; InputError (400) naming each field otherwise, and
 * naming the body itself when it is not even the right kind of value (an array for an object, say).
 */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown, what: 'body' | 'query' = 'body'): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw requestError(result.error, what);
  return result.data;
}

/** The 400 for a request that failed its schema: each field and why, or the body or query as a whole. */
export function requestError(error: z.ZodError, what: 'body' | 'query'): InputError {
  const described = describeValidationError(error);
  return new InputError(error.issues.some(issue => issue.path.length === 0) ? `${what}: ${described}` : described);
}
