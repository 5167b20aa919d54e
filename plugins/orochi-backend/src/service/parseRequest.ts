import { InputError } from '@backstage/errors';
import { describeValidationError } from '@orochi/backstage-plugin-orochi-common';
import { z } from 'zod';

/** Parses a request body with a domain schema; InputError (400) naming each field otherwise. */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(describeValidationError(result.error));
  }
  return result.data;
}
