import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { sweepSpecJsonSchema } from '@isoflop/planner';
import { sweepEventJsonSchema } from '@isoflop/store';
import type { FastifyInstance } from 'fastify';

type OpenApiDocument = Record<string, unknown> & {
  paths?: Record<string, Record<string, Record<string, unknown>>>;
  components?: Record<string, Record<string, unknown>>;
};

/**
 * The sweep-spec body is validated by the planner (one schema, one error format), not by Fastify, so the
 * route declares no body schema; the published JSON Schema is added to the document here instead.
 */
function withSweepSpecBody(document: OpenApiDocument): OpenApiDocument {
  // OpenAPI 3.1 documents carry their own JSON Schema dialect: drop the schema's `$schema`.
  const specSchema = { ...sweepSpecJsonSchema(), $schema: undefined };
  const submit = document.paths?.['/api/sweeps']?.['post'];
  if (submit) {
    submit['requestBody'] = {
      required: true,
      description: 'a sweep spec (see experiments/*.yaml), as JSON or as YAML text',
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/SweepSpec' } },
        'application/yaml': { schema: { type: 'string' } },
      },
    };
  }
  return {
    ...document,
    components: {
      ...document.components,
      schemas: { ...document.components?.['schemas'], SweepSpec: specSchema },
    },
  };
}

/**
 * The event stream is not JSON, so Fastify has no response schema for it; the store's SweepEvent schema
 * (one per kind, the `data` of each event) is added to the document here.
 */
function withSweepEvents(document: OpenApiDocument): OpenApiDocument {
  const eventSchema = { ...sweepEventJsonSchema(), $schema: undefined };
  const stream = document.paths?.['/api/sweeps/{id}/events']?.['get'];
  if (stream) {
    const responses = (stream['responses'] ?? {}) as Record<string, unknown>;
    stream['responses'] = {
      ...responses,
      200: {
        description: 'server-sent events; the `data` of each is a SweepEvent as JSON',
        content: {
          'text/event-stream': { schema: { $ref: '#/components/schemas/SweepEvent' } },
        },
      },
    };
  }
  return {
    ...document,
    components: {
      ...document.components,
      schemas: { ...document.components?.['schemas'], SweepEvent: eventSchema },
    },
  };
}

/** OpenAPI 3.1 from the route schemas, with Swagger UI at /docs and the JSON at /docs/json. */
export async function registerOpenApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'isoflop',
        description:
          'Scaling-law sweeps (ARM, MDM, MDM-Prime-v2) on IsoFLOP curves: sweeps, runs, metrics, fits, ' +
          'live events and charts. Mutating routes need `Authorization: Bearer <ISOFLOP_TOKEN>` when the ' +
          'server is bound to a non-loopback address.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transformObject: (documentObject) =>
      withSweepEvents(
        withSweepSpecBody(
          ('openapiObject' in documentObject
            ? documentObject.openapiObject
            : documentObject.swaggerObject) as OpenApiDocument,
        ),
      ) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
