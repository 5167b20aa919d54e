import { apiComponents, ApiRoute, apiRoutes } from '@orochi/backstage-plugin-orochi-common';
import { z } from 'zod';

type JsonObject = { [key: string]: unknown };

const COMPONENT_URI = (id: string) => `#/components/schemas/${id}`;

/** JSON Schema of registered schemas, referring to each other by component name. */
function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, { uri: COMPONENT_URI, io, unrepresentable: 'any' });
  return Object.fromEntries(Object.entries(converted).map(([id, schema]) => [id, tidy(schema as JsonObject)]));
}

/** Drops what JSON Schema documents carry but an OpenAPI component does not need. */
function tidy(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return JSON.parse(JSON.stringify(rest), (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      // zod states integers' safe range; every JSON number parser has it anyway.
      if (value.minimum === Number.MIN_SAFE_INTEGER) delete value.minimum;
      if (value.maximum === Number.MAX_SAFE_INTEGER) delete value.maximum;
    }
    return value;
  });
}

/** A schema of a route: a `$ref` to its component when it has one, else inline. */
function schemaOf(schema: z.ZodType, components: Record<string, z.ZodType>): JsonObject {
  const id = Object.entries(components).find(([, component]) => component === schema)?.[0];
  if (id) return { $ref: COMPONENT_URI(id) };
  return tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject);
}

function parameters(route: ApiRoute, components: Record<string, z.ZodType>): JsonObject[] {
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const fromObject = (object: z.ZodObject | undefined, where: 'query' | 'header') =>
    Object.entries(object?.shape ?? {}).map(([name, field]) => {
      const schema = schemaOf(field as z.ZodType, components);
      const { description, ...rest } = schema;
      const isArray = rest.type === 'array';
      return {
        name,
        in: where,
        ...(description ? { description } : {}),
        ...(!(field as z.ZodType).safeParse(undefined).success ? { required: true } : {}),
        schema: rest,
        ...(where === 'query' ? { allowReserved: true } : {}),
        ...(isArray ? { style: 'form', explode: true } : {}),
      };
    });
  return [...path, ...fromObject(route.query, 'query'), ...fromObject(route.headers, 'header')];
}

/** The OpenAPI document of the REST API, generated from the route table and the domain's zod schemas. */
export function openApiDocument(): JsonObject {
  const components = { ...apiComponents.requests, ...apiComponents.responses };
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of apiRoutes) {
    const params = parameters(route, components);
    paths[route.path] ??= {};
    paths[route.path][route.method] = {
      operationId: route.operationId,
      description: route.description,
      ...(route.unauthenticated ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, components) } } } }
        : {}),
      responses: {
        [String(route.response.status)]: {
          description: route.response.description,
          content: { 'application/json': { schema: schemaOf(route.response.body, components) } },
        },
        default: {
          description: 'An error, in Backstage’s shape; 400 names the field and the reason.',
          content: { 'application/json': { schema: { $ref: COMPONENT_URI('Error') } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'orochi',
      version: '1',
      description:
        'Orochi’s REST API: self-service PostgreSQL clusters. Every route needs a Backstage token (user or service) ' +
        'except /health. Changes are asynchronous: they answer 202 with the operation that carries them out; poll ' +
        'GET /operations/{operationId} or the cluster until the operation has succeeded or failed. Generated from ' +
        'orochi-common’s route table and zod schemas: do not edit by hand.',
      license: { name: 'UNLICENSED' },
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: {
        ...componentSchemas(apiComponents.requests, 'input'),
        ...componentSchemas(apiComponents.responses, 'output'),
      },
    },
  };
}
