/**
 * Specification of the OpenAPI document: generated from the schemas the handlers validate with, committed
 * as docs/openapi.json (and as the portal's client types), and covering every route, body, answer and
 * error of API.md, read from API.md itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { httpSteps } from '../../functions/routes.js';
import { operations } from '../../functions/openapi/contract.js';
import { openApiDocument } from '../../functions/openapi/document.js';
import { committedDocumentPath, portalClientTypesPath, renderClientTypes, renderDocument } from '../../scripts/openapi-files.js';

type Json = any;

/**
 * The contract as the team shares it (../shared/API.md, beside the repository on a developer's machine)
 * and the copy committed under docs/contract, which a clean clone (CI) reads; the two must not drift.
 */
const sharedApiMdPath = fileURLToPath(new URL('../../../shared/API.md', import.meta.url));
const apiMdPath = fileURLToPath(new URL('../../docs/contract/API.md', import.meta.url));
/** Query parameters added to API.md's routes (README, API extensions): compatible, since they are optional. */
const queryExtensions: Record<string, string[]> = { 'GET /v1/apps/{appId}/users': ['twoFactor'] };
const documentedSteps = httpSteps.filter((step) => (step.method as string) !== 'OPTIONS');
const document: Json = openApiDocument();

/** Resolves `#/components/schemas/X` references. */
function resolve(schema: Json): Json {
  if (schema?.$ref) return resolve(document.components.schemas[String(schema.$ref).split('/').pop()!]);
  return schema;
}

/** Every property name and every string constant anywhere under `schema`, following references. */
function vocabulary(schema: Json, seen = new Set<Json>()): { properties: Set<string>; constants: Set<string> } {
  const found = { properties: new Set<string>(), constants: new Set<string>() };
  const walk = (node: Json) => {
    node = resolve(node);
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (typeof node.const === 'string') found.constants.add(node.const);
    for (const value of node.enum ?? []) if (typeof value === 'string') found.constants.add(value);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      found.properties.add(name);
      walk(child);
    }
    for (const child of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(child);
    if (node.items) walk(node.items);
  };
  walk(schema);
  return found;
}

/** The text inside the balanced braces that open at `start`. */
function braced(text: string, start: number): string {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    if (text[index] === '{') depth++;
    if (text[index] === '}' && --depth === 0) return text.slice(start, index + 1);
  }
  throw new Error(`unbalanced braces in ${text}`);
}

/** Field names of an API.md shape such as `{status, session: {token, expiresAt}, user}` (quoted values skipped). */
function fieldNames(shape: string): string[] {
  return [...shape.replace(/"[^"]*"/g, '""').matchAll(/([A-Za-z][A-Za-z0-9]*)\??\s*(?=[:,}])/g)]
    .map((match) => match[1]!)
    .filter((name) => name !== 'null');
}

interface ApiMdRoute {
  method: string;
  path: string;
  query: string[];
  /** Alternatives of body fields; a field marked `?` is optional. */
  bodies: { name: string; optional: boolean }[][];
  answers: string;
}

/** API.md: the error codes and statuses of the conventions, with the fields and headers each carries. */
function apiMdConventions(text: string): Map<string, { status: number; fields: string[]; headers: string[] }> {
  const section = text.slice(text.indexOf('## Conventions'), text.indexOf('## TOTP parameters'));
  // Later sections add codes in a line of their own ("New error codes: `step_up_required` 403; …").
  const added = [...text.matchAll(/New error codes:([^\n]*(?:\n {2}[^\n]*)*)/g)].map((match) => match[1]!).join(' ');
  const errors = `${section.slice(section.indexOf('Codes and statuses:'))} ${added}`;
  const conventions = new Map<string, { status: number; fields: string[]; headers: string[] }>();
  for (const match of errors.matchAll(/`([a-z_]+)` (\d{3})(?: \(with ([^)]*)\))?/g)) {
    const extras = match[3] ?? '';
    conventions.set(match[1]!, {
      status: Number(match[2]),
      fields: [...extras.matchAll(/`([A-Za-z]+)`(?! header)/g)].map((field) => field[1]!),
      headers: [...extras.matchAll(/`([A-Za-z-]+)` header/g)].map((header) => header[1]!),
    });
  }
  return conventions;
}

function apiMdRoutes(text: string): ApiMdRoute[] {
  const routes: ApiMdRoute[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
    const head = /^(GET|POST|PUT|PATCH|DELETE) (\/v1\/\S+)$/.exec(cells[1] ?? '');
    if (!head) continue;
    const [path, query] = head[2]!.split('?');
    const bodyCell = cells[2] ?? '';
    const bodies = [...bodyCell.matchAll(/`\{/g)].map((match) =>
      fieldNames(braced(bodyCell, match.index + 1)).map((name) => ({ name, optional: bodyCell.includes(`${name}?`) })),
    );
    routes.push({
      method: head[1]!,
      path: path!,
      query: query ? [...query.matchAll(/([A-Za-z]+)=/g)].map((match) => match[1]!) : [],
      bodies,
      answers: cells[3] ?? '',
    });
  }
  return routes;
}

const apiMd = existsSync(apiMdPath) ? readFileSync(apiMdPath, 'utf8') : '';
const routesOfApiMd = apiMdRoutes(apiMd);
const conventions = apiMdConventions(apiMd);
const modeNames = ['off', 'optional', 'required'];

function operationOf(method: string, path: string): Json {
  return document.paths[path]?.[method.toLowerCase()];
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 in the JSON Schema 2020-12 dialect', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('is committed as docs/openapi.json exactly as generated (npm run openapi)', () => {
    expect(readFileSync(committedDocumentPath, 'utf8')).toBe(renderDocument(document));
  });

  it("is the source of the portal's client types, committed as generated (npm run openapi)", async () => {
    expect(readFileSync(portalClientTypesPath, 'utf8')).toBe(await renderClientTypes(document));
  });

  it('documents every HTTP step but CORS preflights, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(documentedSteps.map((step) => `${step.method} ${step.path}`).sort());
  });

  it('gives every operation a unique operationId', () => {
    const ids = documentedSteps.map((step) => operationOf(step.method, step.path).operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(documentedSteps.map((step) => [step.step]))('documents the very request schemas the %s handler validates with', async (step) => {
    const { request } = (await import(`../../functions/${step}/handler.js`)) as { request: Record<string, unknown> };
    const contract = operations[step]!.request as Record<string, unknown>;

    expect(Object.keys(request).sort()).toEqual(Object.keys(contract).sort());
    for (const part of Object.keys(request)) expect(request[part]).toBe(contract[part]);
  });

  it.each(
    documentedSteps
      .filter((step) => step.step !== 'health' && step.step !== 'openapi')
      .map((step) => [`${step.method} ${step.path}`, step]),
  )('%s documents the errors every route of its kind can answer', (_name, step) => {
    const responses = operationOf(step.method, step.path).responses;
    const codesAt = (status: number): string[] =>
      resolve(responses[status]?.content?.['application/json']?.schema)?.properties?.error?.properties?.code?.enum ?? [];

    expect(codesAt(400)).toContain('validation_error');
    expect(codesAt(413)).toContain('payload_too_large');
    expect(codesAt(500)).toContain('internal_error');
    expect(codesAt(503)).toContain('service_unavailable');
    if (step.path.includes('/2fa/') || /\/(me|logout|settings|publish|users|audit-events)/.test(step.path))
      expect(codesAt(401)).toContain('unauthorized');
    if (operations[step.step]!.caller === 'admin')
      expect(codesAt(403)).toEqual(expect.arrayContaining(['forbidden', 'two_factor_required']));
  });
});

describe('the OpenAPI document against API.md', () => {
  it('reads API.md from the committed copy, which is the shared one when that is beside the repository', () => {
    expect(apiMd).not.toBe('');
    if (existsSync(sharedApiMdPath)) expect(readFileSync(sharedApiMdPath, 'utf8')).toBe(apiMd);
    expect(routesOfApiMd.length).toBeGreaterThanOrEqual(15);
    expect(conventions.size).toBeGreaterThanOrEqual(17);
  });

  it('has an operation for every route of API.md', () => {
    const missing = routesOfApiMd.filter((route) => !operationOf(route.method, route.path)).map((route) => `${route.method} ${route.path}`);
    expect(missing).toEqual([]);
  });

  it.each(routesOfApiMd.map((route) => [`${route.method} ${route.path}`, route]))(
    '%s: request body and query as API.md has them',
    (_name, route) => {
      const operation = operationOf(route.method, route.path);
      const body = resolve(operation.requestBody?.content?.['application/json']?.schema);

      if (route.bodies.length === 0) {
        expect(operation.requestBody?.required ?? false).toBe(false);
        expect(Object.keys(body?.properties ?? {})).toEqual([]);
      }
      for (const alternative of route.bodies) {
        for (const field of alternative) {
          expect(Object.keys(body.properties)).toContain(field.name);
          const inEveryAlternative = route.bodies.every((other) =>
            other.some((candidate) => candidate.name === field.name && !candidate.optional),
          );
          if (inEveryAlternative) expect(body.required).toContain(field.name);
          if (field.optional) expect(body.required ?? []).not.toContain(field.name);
        }
      }
      if (route.bodies.length > 0) expect(body.additionalProperties).toBe(false);
      const query = (operation.parameters ?? [])
        .filter((parameter: Json) => parameter.in === 'query')
        .map((parameter: Json) => parameter.name);
      // API.md's query parameters, plus only the extensions the README lists.
      const extensions = queryExtensions[`${route.method} ${route.path}`] ?? [];
      expect(query.sort()).toEqual([...route.query, ...extensions].sort());
    },
  );

  it.each(routesOfApiMd.map((route) => [`${route.method} ${route.path}`, route]))(
    '%s: answers, fields and errors as API.md has them',
    (_name, route) => {
      const { responses } = operationOf(route.method, route.path);
      const answers = route.answers;

      // Success statuses and what their bodies carry.
      const successStatuses = [...answers.matchAll(/\b(2\d\d)\b/g)].map((match) => match[1]!);
      expect(successStatuses.length).toBeGreaterThan(0);
      const success = responses[successStatuses[0]!];
      for (const status of successStatuses) expect(responses[status]).toBeDefined();
      const { properties, constants } = vocabulary(success.content?.['application/json']?.schema ?? {});
      for (const match of answers.matchAll(/`\{/g))
        for (const name of fieldNames(braced(answers, match.index + 1))) expect([...properties]).toContain(name);
      for (const [, word] of answers.matchAll(/`([A-Za-z_]+)`/g)) {
        if (/^[A-Z_]+$/.test(word!)) expect([...constants]).toContain(word);
        else if (!conventions.has(word!) && !modeNames.includes(word!)) expect([...properties]).toContain(word);
      }
      if (answers.includes('`Accept: text/plain`')) expect(Object.keys(success.content)).toContain('text/plain');
      if (answers.includes('`Content-Disposition')) expect(Object.keys(success.headers ?? {})).toContain('Content-Disposition');

      // Every error code named in the row, under the status the conventions give it; bare statuses too.
      for (const [, word] of answers.matchAll(/`([a-z_]+)`/g)) {
        const convention = conventions.get(word!);
        if (!convention) continue;
        expect(resolve(responses[convention.status]?.content['application/json'].schema).properties.error.properties.code.enum).toContain(
          word,
        );
      }
      for (const [, status] of answers.matchAll(/(?<![\d`])\b([45]\d\d)\b/g)) expect(responses[status!]).toBeDefined();
    },
  );

  it('uses the status and extra fields API.md gives each error code, wherever it is documented', () => {
    const mismatches: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, Json>)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
          const error = resolve(response.content?.['application/json']?.schema)?.properties?.error;
          if (!error) continue;
          for (const code of error.properties.code.enum as string[]) {
            const convention = conventions.get(code);
            if (!convention) mismatches.push(`${method} ${path}: ${code} is not in API.md`);
            else if (convention.status !== Number(status))
              mismatches.push(`${method} ${path}: ${code} under ${status}, API.md says ${convention.status}`);
            for (const field of convention?.fields ?? [])
              if (!(field in error.properties)) mismatches.push(`${method} ${path}: ${code} without ${field}`);
            for (const header of convention?.headers ?? [])
              if (!(header in (response.headers ?? {}))) mismatches.push(`${method} ${path}: ${code} without the ${header} header`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives the status bodies of API.md their fields', () => {
    const paragraph = apiMd.slice(apiMd.indexOf('Status bodies:'));
    const shapes = [...paragraph.slice(0, paragraph.indexOf('\n\n')).matchAll(/`([A-Z_*]+)` → `\{/g)];
    expect(shapes.length).toBeGreaterThanOrEqual(2);
    const schemas: Json[] = Object.values(document.components.schemas);
    for (const shape of shapes) {
      const status = new RegExp(`^${shape[1]!.replace('*', '[A-Z_]*')}$`);
      const fields = fieldNames(braced(paragraph, shape.index + shape[0].length - 1));
      const carriers = schemas.filter((schema) => {
        const values = [schema.properties?.status?.const, ...(schema.properties?.status?.enum ?? [])];
        return values.some((value) => typeof value === 'string' && status.test(value));
      });
      expect(carriers.length).toBeGreaterThan(0);
      for (const carrier of carriers) for (const field of fields) expect([...vocabulary(carrier).properties]).toContain(field);
    }
  });
});
