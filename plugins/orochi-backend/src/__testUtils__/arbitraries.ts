import fc from 'fast-check';
import { z } from 'zod';

/** Values a field of this name is likely to accept, so generated requests get past the first check often enough. */
const EXAMPLES: Record<string, unknown[]> = {
  name: ['fuzz-db', 'ab', 'a'.repeat(41), 'UPPER', 'fuzz_db', ''],
  owner: ['team-payments', 'group:default/team-payments', 'group:default/team-search', 'user:default/pat', 'nobody', ''],
  system: ['payments', 'system:default/payments', 'nowhere'],
  size: ['small', 'medium', 'large', 'huge'],
  region: ['local', 'mars'],
  plan: ['free', 'pro', 'team', 'enterprise', 'gold'],
  targetTime: [new Date(Date.now() - 60_000).toISOString(), '2001-01-01T00:00:00Z', 'yesterday'],
  expiresAt: [new Date(Date.now() + 3_600_000).toISOString(), '2001-01-01T00:00:00Z', 'never'],
  backupId: ['b-1', ''],
  from: [new Date(Date.now() - 86_400_000).toISOString(), 'soon'],
  to: [new Date().toISOString(), 'later'],
  cursor: [new Date(Date.now() - 3_600_000).toISOString(), 'x'],
  granularity: ['hour', 'day', 'month', 'week'],
};

/** Numbers at and around the edges schemas draw. */
const edgyNumber = fc.oneof(
  fc.constantFrom(0, 1, 2, 5, 6, 24, 100, 1000, 1024, 1025, -1, 0.5, 1e21, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: -10, max: 2000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Anything JSON can carry: what a hostile client sends instead of the expected value. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

function definition(schema: z.ZodType): { type: string; [key: string]: unknown } {
  return (schema as unknown as { _zod: { def: { type: string } } })._zod.def;
}

/**
 * Values shaped like what `schema` accepts, and often not quite: the right keys with edge values, known-good
 * examples for well-known field names, missing required keys, unknown keys, wrong types. Each request a fuzzer
 * builds from them is valid, on a boundary, or invalid, and the API must answer each without a 5xx.
 */
export function shapedLike(schema: z.ZodType, field = ''): fc.Arbitrary<unknown> {
  const def = definition(schema);
  const examples = EXAMPLES[field];
  const withJunk = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof({ weight: 8, arbitrary }, { weight: 1, arbitrary: anyJson });
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const record = fc.record(Object.fromEntries(keys.map(key => [key, shapedLike(shape[key], key)])), { requiredKeys: [] });
      return withJunk(
        fc.tuple(record, fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }), { freq: 5 })).map(([value, extra]) => ({
          ...(extra ?? {}),
          ...(value as object),
        })),
      );
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return shapedLike(def.innerType as z.ZodType, field);
    case 'pipe':
      return shapedLike(def.in as z.ZodType, field);
    case 'string':
      return withJunk(examples ? fc.oneof(fc.constantFrom(...examples), fc.string({ maxLength: 60 })) : fc.string({ maxLength: 60 }));
    case 'number':
    case 'int':
      return withJunk(edgyNumber);
    case 'boolean':
      return withJunk(fc.boolean());
    case 'enum':
      return withJunk(fc.oneof(fc.constantFrom(...Object.values(def.entries as Record<string, unknown>)), fc.string({ maxLength: 10 })));
    case 'literal':
      return withJunk(fc.constantFrom(...(def.values as unknown[])));
    case 'array':
      return withJunk(fc.array(shapedLike(def.element as z.ZodType, field), { maxLength: 4 }));
    case 'record':
      return withJunk(fc.dictionary(fc.string({ maxLength: 12 }), shapedLike(def.valueType as z.ZodType), { maxKeys: 3 }));
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map(option => shapedLike(option, field)));
    default:
      return anyJson;
  }
}

/** Text for a path parameter or a header: real ids and names, and what an attacker types instead. */
export function hostileText(real: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...real) },
    { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e%2f', "' OR 1=1 --", 'x'.repeat(300), '\u0000', 'null', '-1') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  );
}
