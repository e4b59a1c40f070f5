import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { beginInvocation } from '../commons/logger.js';
import { currentDeadline, deadlineOf, withinDeadline } from '../commons/request-deadline.js';
import { DomainError, ValidationError } from '../core/errors.js';
import { httpSteps, notFoundStep } from '../routes.js';
import { errorResponse } from './errors.js';
import { appId as appIdSchema } from './schemas.js';

/** API.md: bodies over 16 KiB get 413. */
const maxBodyBytes = 16 * 1024;

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params?: P;
  query?: Q;
  /** Absent: the route takes no body and ignores one. */
  body?: B;
}

interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The bearer token, if the request carried one. */
  token: string | null;
  headers: Record<string, string | undefined>;
  /** Epoch ms by which the step should stop retrying and answer. */
  deadline: number;
}

/** What a route answers: JSON (`body`), a file (`text`), or nothing (204). */
type RouteResult =
  | { statusCode: number; body: unknown }
  | { statusCode: number; text: string; headers: Record<string, string> }
  | { statusCode: 204; headers?: Record<string, string> };

interface ParsedEvent extends Event {
  parsed?: { params: unknown; query: unknown; body: unknown };
}

/** What the route's step answered, for its metrics (`httpRoute`'s outcomes). */
interface Answer {
  step: string;
  appId: string | undefined;
  response: Result;
}

/** What an app route adds around the pipeline: its metrics and its traces (`httpRoute`). */
export interface Instrumentation {
  answered(answer: Answer): void;
  traced(step: string, work: () => Promise<Result>): Promise<Result>;
}

/** What a route runs once its request is validated. */
export type RouteRun<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = (
  input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>,
) => Promise<RouteResult>;

/** The step of each route key (`POST /v1/apps/{appId}/login/verify`), as API Gateway names the matched route. */
const stepsByRouteKey = new Map(httpSteps.map((step) => [`${step.method} ${step.path}`, step.step]));

/**
 * Builds a Lambda handler for one route: security headers, `decorations` (an app route's CORS, see
 * `httpRoute`), header normalization, the 16 KiB limit, JSON parsing, zod validation of params, query and
 * body, and the single error mapping. Around them: the log context (step, app, API Gateway's request id as
 * the correlation id), the request's deadline, which every AWS call the step makes is bounded by, and an app
 * route's `instrumentation` (metrics and traces; the public routes reach no AWS service and carry neither).
 */
export function routePipeline<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
  run: RouteRun<P, Q, B>,
  decorations: MiddlewareObj<Event, Result>[],
  instrumentation?: Instrumentation,
) {
  const pipeline = middy<ParsedEvent, Result>()
    .use(httpSecurityHeaders())
    .use(securityHeaders())
    .use(decorations)
    .use(bodyLimit())
    .use(httpHeaderNormalizer())
    .use(utf8Body(spec.body !== undefined))
    .use(jsonBodyWhenPresent(spec.body !== undefined))
    .use(validation(spec))
    // Last in, so its onError runs first and the header middlewares above decorate the error response.
    .use(errorMapping())
    .handler(async (event, context) => {
      // Set by the validation middleware before this runs; without it nothing here could be trusted.
      if (!event.parsed) throw new Error('the validation middleware did not run');
      const { params, query, body } = event.parsed;
      const result = await run({
        params: params as z.infer<P>,
        query: query as z.infer<Q>,
        body: body as z.infer<B>,
        token: bearerToken(event.headers.authorization),
        headers: event.headers,
        deadline: currentDeadline()?.at ?? deadlineOf(context),
      });
      if ('text' in result) return { statusCode: result.statusCode, headers: result.headers, body: result.text };
      if (!('body' in result)) return { statusCode: 204, headers: result.headers ?? {}, body: '' };
      return {
        statusCode: result.statusCode,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(result.body),
      };
    });
  return async (event: Event, context: Context): Promise<Result> => {
    const step = stepsByRouteKey.get(event.routeKey) ?? notFoundStep.step;
    const rawAppId = event.pathParameters?.appId;
    const appId = rawAppId !== undefined && appIdSchema.safeParse(rawAppId).success ? rawAppId : undefined;
    beginInvocation(context, { step, appId, correlationId: event.requestContext.requestId });
    // The whole pipeline, CORS's read of the app included, answers by the deadline.
    const work = () => withinDeadline(deadlineOf(context), () => pipeline(event, context));
    if (!instrumentation) return work();
    const response = await instrumentation.traced(step, work);
    instrumentation.answered({ step, appId, response });
    return response;
  };
}

/**
 * A route outside every app (`/v1/health`, `/v1/openapi.json`, the not-found answer): the pipeline without
 * CORS, which only an app's allowed origins decide. Its module reaches no store, so these functions' bundles
 * carry no AWS SDK.
 */
export function publicRoute<
  P extends z.ZodType = z.ZodType<Record<string, never>>,
  Q extends z.ZodType = z.ZodType<Record<string, never>>,
  B extends z.ZodType = z.ZodType<undefined>,
>(spec: RouteSpec<P, Q, B>, run: RouteRun<P, Q, B>) {
  return routePipeline(spec, run, []);
}

function bearerToken(header: string | undefined): string | null {
  // RFC 9110: the scheme name is case-insensitive.
  const match = /^Bearer +([A-Za-z0-9_-]{16,128})$/i.exec(header?.trim() ?? '');
  return match?.[1] ?? null;
}

function bodyLimit(): MiddlewareObj<ParsedEvent, Result> {
  return {
    before: ({ event }) => {
      if (event.body === undefined) return;
      const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
      if (bytes > maxBodyBytes) throw new DomainError('payload_too_large', `The body is larger than ${maxBodyBytes} bytes.`);
    },
  };
}

/** Throws on bytes that are not UTF-8, instead of replacing each with U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The `charset` parameter of a Content-Type, lowercased and unquoted; `undefined` when there is none.
 * RFC 9110 §8.3.1: parameter names and charset values are case-insensitive, and a value may be quoted.
 */
function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  for (const parameter of contentType.split(';').slice(1)) {
    const [name, ...rest] = parameter.split('=');
    if (name?.trim().toLowerCase() !== 'charset') continue;
    const value = rest.join('=').trim();
    return (value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value).trim().toLowerCase();
  }
  return undefined;
}

/**
 * API.md: bodies are UTF-8. The body is judged as bytes, before it is text: decoded leniently, every
 * invalid byte would become U+FFFD, so a password sent as Latin-1 `ä` (0xE4) and one sent as `ü` (0xFC)
 * would turn into the same string and match each other. API Gateway hands over a body it cannot pass as
 * text base64-encoded, so those bytes arrive intact here. A body declared in another charset is refused
 * too, rather than read as UTF-8 against the client's word. The body goes on as text (`isBase64Encoded`
 * false), so the JSON parser does not decode it a second, lenient time.
 */
function utf8Body(routeTakesBody: boolean): MiddlewareObj<ParsedEvent, Result> {
  return {
    before: ({ event }) => {
      if (!routeTakesBody || event.body === undefined || event.body === '') return;
      const issues: { path: string; message: string }[] = [];
      const charset = charsetOf(event.headers['content-type']);
      if (charset !== undefined && charset !== 'utf-8') issues.push({ path: 'headers.content-type', message: 'charset must be utf-8' });
      if (event.isBase64Encoded) {
        try {
          event.body = strictUtf8.decode(Buffer.from(event.body, 'base64'));
          event.isBase64Encoded = false;
        } catch {
          issues.push({ path: 'body', message: 'is not valid UTF-8' });
        }
      }
      if (issues.length > 0) throw new ValidationError(issues, 'The body must be UTF-8 text.');
    },
  };
}

/** middy's JSON parser for routes with a body; an empty body is left for the schema to judge. */
function jsonBodyWhenPresent(routeTakesBody: boolean): MiddlewareObj<ParsedEvent, Result> {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const { event } = request;
      if (!routeTakesBody || event.body === undefined || event.body === '') {
        event.body = undefined;
        return;
      }
      try {
        await parser.before?.(request as never);
      } catch (error) {
        const unsupported = /Unsupported Media Type/.test((error as Error).message);
        throw new ValidationError(
          [
            unsupported
              ? { path: 'headers.content-type', message: 'must be application/json' }
              : { path: 'body', message: 'is not valid JSON' },
          ],
          unsupported ? 'The body must be sent as application/json.' : 'The body is not valid JSON.',
        );
      }
    },
  };
}

function validation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): MiddlewareObj<ParsedEvent, Result> {
  return {
    before: ({ event }) => {
      const issues: { path: string; message: string }[] = [];
      const check = (schema: z.ZodType | undefined, value: unknown, where: string, whenAbsent: unknown): unknown => {
        if (!schema) return whenAbsent;
        const outcome = schema.safeParse(value);
        if (outcome.success) return outcome.data;
        for (const issue of outcome.error.issues)
          issues.push({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message });
        return undefined;
      };
      const parsed = {
        params: check(spec.params, event.pathParameters ?? {}, 'path', {}),
        query: check(spec.query, event.queryStringParameters ?? {}, 'query', {}),
        body: check(spec.body, event.body, 'body', undefined),
      };
      if (issues.length > 0) throw new ValidationError(issues);
      event.parsed = parsed;
    },
  };
}

/** JSON answers are never cached and can never be rendered as a page. */
function securityHeaders(): MiddlewareObj<ParsedEvent, Result> {
  const add = (response: Result | null | undefined) => {
    if (!response) return;
    response.headers = {
      ...response.headers,
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    };
  };
  return { after: ({ response }) => add(response), onError: ({ response }) => add(response) };
}

/** Whatever was thrown becomes API.md's error body; nothing else reaches the client. */
function errorMapping(): MiddlewareObj<ParsedEvent, Result> {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error);
    },
  };
}
