import { InputError } from '@backstage/errors';
import { apiRoutes } from '@orochi/backstage-plugin-orochi-common';
import { requestError } from './parseRequest';
import express, { RequestHandler } from 'express';

/** `/clusters/{clusterId}` as a pattern for the request path. */
function pathPattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}/?$`);
}

const routesWithBodies = apiRoutes
  .filter(route => route.body)
  .map(route => ({ method: route.method.toUpperCase(), pattern: pathPattern(route.path), body: route.body! }));

/**
 * The router's first middleware: parses JSON and checks each body against its route's schema from the route
 * table, before the OpenAPI validator does. Both hold the same rules (the document is generated from these
 * schemas), but zod's account names every field and the reason (`color: unknown field`), where the validator
 * would say only `request/body must NOT have additional properties`.
 */
export function validateBodies(): RequestHandler[] {
  const json = express.json();
  return [
    // A body that is not a JSON object or array (`true`, a bare string, broken JSON) is the body's fault: say so.
    (req, res, next) =>
      json(req, res, (error?: { type?: string; message?: string }) =>
        next(error?.type === 'entity.parse.failed' ? new InputError(`body: must be a JSON object (${error.message})`) : error),
      ),
    (req, _res, next) => {
      const route = routesWithBodies.find(r => r.method === req.method && r.pattern.test(req.path));
      const result = route?.body.safeParse(req.body ?? {});
      if (result && !result.success) {
        next(requestError(result.error, 'body'));
        return;
      }
      next();
    },
  ];
}
