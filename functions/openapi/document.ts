import * as z from 'zod';
import { DomainError, type ErrorCode } from '../core/errors.js';
import { httpSteps, type HttpStep } from '../routes.js';
import { type Operation, callerErrors, namedSchemas, operations } from './contract.js';
import { errorBody } from './responses.js';

type JsonSchema = Record<string, unknown>;

/** The methods an OpenAPI path item documents; CORS preflights (OPTIONS) are the gateway's business. */
const documentedMethods = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** The HTTP status of an error code, from the domain's one table. */
const statusOf = (code: ErrorCode): number => new DomainError(code, '').statusCode;

/**
 * zod writes the bounds of a safe integer on every `.int()` and a long pattern beside `format: date-time`;
 * both say nothing the type and the format do not.
 */
function withoutNoise({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
}

/** Requests are documented as the client sends them (defaults and coercions included): zod's input side. */
const conversion = { target: 'draft-2020-12', io: 'input', override: withoutNoise } as const;

/** One schema, inline, without the `$schema` keyword (the document declares its dialect once). */
function inlineSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, conversion) as JsonSchema;
  return json;
}

/** The named schemas, each written once under components and referenced by `$ref` everywhere else. */
function componentSchemas(): { schemas: Record<string, JsonSchema>; idOf: Map<z.ZodType, string> } {
  const registry = z.registry<{ id: string; description: string }>();
  const idOf = new Map<z.ZodType, string>();
  for (const [schema, id, description] of namedSchemas) {
    registry.add(schema, { id, description });
    idOf.set(schema, id);
  }
  const converted = z.toJSONSchema(registry, { ...conversion, uri: componentRef }).schemas as Record<string, JsonSchema>;
  const schemas: Record<string, JsonSchema> = {};
  for (const [, id, description] of namedSchemas) {
    const named = converted[id];
    if (!named) throw new Error(`zod did not convert the named schema ${id}`);
    const { $schema: _dialect, $id: _id, ...json } = named;
    schemas[id] = { description, ...json };
  }
  return { schemas, idOf };
}

function referenceOrInline(schema: z.ZodType, idOf: Map<z.ZodType, string>): JsonSchema {
  const id = idOf.get(schema);
  return id ? { $ref: componentRef(id) } : inlineSchema(schema);
}

function parameters(operation: Operation): JsonSchema[] {
  const of = (where: 'path' | 'query', object: z.ZodObject | undefined) =>
    Object.entries(object?.shape ?? {}).map(([name, schema]) => {
      const json = inlineSchema(schema as z.ZodType);
      return { name, in: where, required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success, schema: json };
    });
  return [...of('path', operation.request.params), ...of('query', operation.request.query)];
}

/** Every error the route can answer: its own, its caller kind's, and those of API.md's conventions that apply. */
export function errorsOf(step: HttpStep, operation: Operation): ErrorCode[] {
  const { request } = operation;
  const codes = new Set<ErrorCode>([...operation.errors, ...callerErrors[operation.caller]]);
  if (request.params || request.query || request.body) codes.add('validation_error');
  // Every route, even one without a body, refuses bodies over 16 KiB.
  codes.add('payload_too_large');
  codes.add('internal_error');
  if (step.access.table.length > 0 || step.access.kms !== 'none') codes.add('service_unavailable');
  return [...codes];
}

const statusDescriptions: Record<number, string> = {
  400: 'The request is not valid (`issues` names each field).',
  401: 'Not authenticated, or a wrong code or credentials.',
  403: 'Not allowed (role, plan or the app’s 2FA mode).',
  404: 'Not found.',
  409: 'Conflicts with the current state.',
  413: 'The body is larger than 16 KiB.',
  429: 'Too many attempts; wait `retryAfterSeconds`.',
  500: 'A bug on the service’s side; never carries a cause.',
  503: 'A dependency failed; retry after `retryAfterSeconds`.',
};

const retryAfterHeader = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
};

function errorResponses(codes: ErrorCode[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  const answers: Record<string, JsonSchema> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const statusCodes = (byStatus.get(status) ?? []).sort() as [ErrorCode, ...ErrorCode[]];
    answers[String(status)] = {
      description: `${statusDescriptions[status]} Codes: ${statusCodes.join(', ')}.`,
      ...(status === 429 || status === 503 ? { headers: retryAfterHeader } : {}),
      content: { 'application/json': { schema: inlineSchema(errorBody(statusCodes)) } },
    };
  }
  return answers;
}

function successResponse(operation: Operation, idOf: Map<z.ZodType, string>): Record<string, JsonSchema> {
  const { success } = operation;
  const content: Record<string, JsonSchema> = {};
  if (success.body) content['application/json'] = { schema: referenceOrInline(success.body, idOf) };
  else if (success.csvFile) content['text/csv'] = { schema: { type: 'string', description: success.csvFile } };
  else if (success.status !== 204) content['application/json'] = { schema: { type: 'object' } };
  if (success.textFile) content['text/plain'] = { schema: { type: 'string', description: success.textFile } };
  return {
    [String(success.status)]: {
      description: success.description,
      ...(success.textFile
        ? {
            headers: { 'Content-Disposition': { description: 'With text/plain: `attachment; filename="…"`.', schema: { type: 'string' } } },
          }
        : {}),
      ...(success.csvFile
        ? {
            headers: {
              'Content-Disposition': { description: '`attachment; filename="users-<appId>.csv"`.', schema: { type: 'string' } },
              'X-Next-Cursor': {
                description: 'Present when more rows follow: pass it as `cursor` for the next part.',
                schema: { type: 'string' },
              },
            },
          }
        : {}),
      ...(Object.keys(content).length > 0 ? { content } : {}),
    },
  };
}

const securityOf: Record<Operation['caller'], JsonSchema[]> = {
  anyone: [],
  session: [{ session: [] }],
  sessionOrEnrollmentChallenge: [{ session: [] }, { enrollmentChallenge: [] }],
  admin: [{ session: [] }],
};

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas the handlers validate with
 * (requests) and the schemas that document the use cases' results (responses). One operation per HTTP
 * step of `functions/routes.ts`; a step without an operation in the contract is an error, not a gap.
 */
export function openApiDocument(): JsonSchema {
  const { schemas, idOf } = componentSchemas();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const step of httpSteps) {
    if (!documentedMethods.has(step.method)) continue;
    const operation = operations[step.step];
    if (!operation) throw new Error(`no OpenAPI operation for the step ${step.step}`);
    const { request } = operation;
    const params = parameters(operation);
    (paths[step.path] ??= {})[step.method.toLowerCase()] = {
      operationId: operation.operationId,
      tags: [operation.tag],
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(request.body
        ? {
            requestBody: {
              required: !request.body.safeParse(undefined).success,
              content: { 'application/json': { schema: referenceOrInline(request.body, idOf) } },
            },
          }
        : {}),
      security: securityOf[operation.caller],
      responses: { ...successResponse(operation, idOf), ...errorResponses(errorsOf(step, operation)) },
    };
  }
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Two-factor authentication (TOTP) service',
      version: '1',
      description:
        'Sign-up, login with a second factor (TOTP or backup codes), authenticator linking and the admin settings of an app. Errors: `{"error": {"code", "message", …}}`. Generated from the zod schemas the handlers validate with.',
    },
    servers: [{ url: '/', description: 'The same origin (the local run, or the API Gateway URL of a deployment)' }],
    tags: [
      { name: 'End users', description: 'Sign-up, sign-in and the user menu.' },
      { name: 'App admins', description: 'A session of a user whose role is admin in the app.' },
      { name: 'Service', description: 'Health and this document.' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'A session token from SIGNED_IN.' },
        enrollmentChallenge: {
          type: 'http',
          scheme: 'bearer',
          description: 'The challenge token of TWO_FACTOR_ENROLLMENT_REQUIRED (the two enrollment calls only).',
        },
      },
    },
  };
}
