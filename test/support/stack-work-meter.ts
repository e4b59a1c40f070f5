import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { register } from 'node:module';
import { type RequestWork, workMeterHeader } from './work-meter.js';

/**
 * The test stack's work meter (in test/support/stack-process.ts only, never in `npm start` or AWS): what the
 * stack really did to answer one API request that carries the header `workMeterHeader`, counted where it
 * happens rather than inferred from timing. The AWS calls are the HTTP requests the handlers' SDK clients
 * send to the stack's endpoints; the Argon2 hashes are the calls into the library that computes them
 * (@node-rs/argon2, or hash-wasm where no native binary loads), reached through a loader hook that wraps
 * each (metered-node-rs-argon2.ts, metered-hash-wasm.ts).
 *
 * Each metered request runs in its own async context, so requests of other test files running at the same
 * time are never counted with it.
 */
const current = new AsyncLocalStorage<RequestWork | undefined>();

/** Meters a test has opened (`PUT`), by id; a request naming another id is not metered. */
const open = new Map<string, RequestWork>();

/**
 * Redirects every import of `@node-rs/argon2` and of `hash-wasm` (except each wrapper's own) to its metered
 * wrapper. Call before the stack's modules are imported: a module that already loaded one keeps the unwrapped one.
 */
export function meterPasswordHashing(): void {
  const wrappers = {
    '@node-rs/argon2': new URL('./metered-node-rs-argon2.ts', import.meta.url).href,
    'hash-wasm': new URL('./metered-hash-wasm.ts', import.meta.url).href,
  };
  // A wrapper goes on to the next hooks (tsx's) as if it had been imported by name, so it is compiled too.
  const hooks = `
    const wrappers = ${JSON.stringify(wrappers)};
    export async function resolve(specifier, context, nextResolve) {
      const wrapper = Object.hasOwn(wrappers, specifier) ? wrappers[specifier] : undefined;
      const wrapped = wrapper !== undefined && context.parentURL !== wrapper;
      return nextResolve(wrapped ? wrapper : specifier, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/** Called by the metered wrappers for each Argon2 computation: `<variant> m=<KiB>,t=<passes>,p=<lanes>`. */
export function recordArgon2(cost: string): void {
  current.getStore()?.argon2.push(cost);
}

/**
 * Starts metering. `endpoints` maps each interposed AWS endpoint (the URL the handlers' clients call) to
 * its service name.
 */
export function startWorkMeter(endpoints: Map<string, string>): void {
  const services = new Map([...endpoints].map(([url, service]) => [new URL(url).host, service]));
  // Published synchronously just before the server's 'request' event: entering the context here makes it
  // the context of everything the handler then does. Every request enters one, so a request on a kept-alive
  // connection never inherits the previous one's meter.
  subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage; response: ServerResponse };
    const id = request.headers[workMeterHeader];
    current.enterWith(typeof id === 'string' ? open.get(id) : undefined);
  });
  subscribe('http.client.request.start', (message) => {
    const work = current.getStore();
    if (!work) return;
    const { request } = message as { request: ClientRequest };
    const service = services.get(String(request.getHeader('host')));
    if (!service) return;
    // `DynamoDB_20120810.GetItem`, `TrentService.Decrypt`: the action after the dot.
    const operation = String(request.getHeader('x-amz-target') ?? 'unknown')
      .split('.')
      .pop()!;
    const byOperation = (work.aws[service] ??= {});
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
  });
}

/**
 * The meter's control (loopback): `PUT /work/<id>` opens a meter, `GET /work/<id>` answers what the
 * requests carrying that id did (`RequestWork`) and closes it. False when the path is not the meter's.
 */
export function serveWorkMeter(method: string | undefined, path: string, response: ServerResponse): boolean {
  const id = /^\/work\/([\w-]+)$/.exec(path)?.[1];
  if (!id) return false;
  if (method === 'PUT') {
    open.set(id, { aws: {}, argon2: [] });
    response.writeHead(204).end();
  } else if (method === 'GET' && open.has(id)) {
    const work = open.get(id)!;
    open.delete(id);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(work));
  } else {
    response.writeHead(404).end();
  }
  return true;
}
