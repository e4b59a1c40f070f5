/**
 * A local stand-in for Amazon EventBridge's PutEvents, speaking its JSON wire protocol (awsJson1_1), so
 * the unmodified `@aws-sdk/client-eventbridge` publishes security events on this machine too. Each
 * event is printed (one line, the way a portal's rule would receive it) and kept for `GET /events`,
 * which the tests read. Rules (`addRule`) hand matching events to a target, as a rule invokes a Lambda
 * function: asynchronously, retried on failure; `POST /events/<id>/redeliver` delivers one again, at once,
 * as EventBridge's at-least-once delivery may.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

interface ReceivedEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: unknown;
  eventBusName: string;
}

/** The event a rule's Lambda target receives. */
export interface RuleTargetEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** A rule on the bus: events of `source` (and, when given, of one of `detailTypes`) go to `target`. */
interface Rule {
  source: string;
  detailTypes?: readonly string[];
  target: (event: RuleTargetEvent) => Promise<void>;
}

export interface EventBridgeStandIn {
  url: string;
  /** Events received so far, oldest first (the last 10,000). */
  events: ReceivedEvent[];
  addRule(rule: Rule): void;
  close(): Promise<void>;
}

/** Waits before the retries of a failed target, as Lambda's asynchronous invocation does (scaled down). */
const retryDelaysMs = [1000, 2000];

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
}

const keptEvents = 10_000;

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/x-amz-json-1.1'): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/** Starts the stand-in on loopback; `print` receives one line per event (stdout by default). */
export async function startEventBridgeStandIn(
  options: { port?: number; print?: (line: string) => void } = {},
): Promise<EventBridgeStandIn> {
  const events: ReceivedEvent[] = [];
  const print = options.print ?? ((line: string) => console.log(line));
  const rules: Rule[] = [];
  let closed = false;

  const targetEvent = (event: ReceivedEvent): RuleTargetEvent => ({
    version: '0',
    id: event.id,
    'detail-type': event['detail-type'],
    source: event.source,
    account: '000000000000',
    time: event.time,
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  });
  const rulesFor = (event: ReceivedEvent) =>
    rules.filter((rule) => rule.source === event.source && (!rule.detailTypes || rule.detailTypes.includes(event['detail-type'])));
  /** One delivery to one rule's target, retried twice after a failure; then given up, as Lambda would. */
  const deliverInBackground = (rule: Rule, event: ReceivedEvent) => {
    void (async () => {
      for (let attempt = 0; !closed; attempt++) {
        try {
          await rule.target(targetEvent(event));
          return;
        } catch (error) {
          const delay = retryDelaysMs[attempt];
          const why = error instanceof Error ? error.name : typeof error;
          if (delay === undefined) {
            print(`event ${event['detail-type']} ${event.id}: the rule's target failed (${why}); given up after ${attempt + 1} attempts`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    })();
  };

  const putEvents = (body: { Entries?: PutEventsEntry[] }) => {
    const entries = body.Entries ?? [];
    if (entries.length === 0 || entries.length > 10)
      return { status: 400, body: { __type: 'ValidationException', message: 'Entries must hold 1 to 10 events.' } };
    const results = entries.map((entry) => {
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail ?? '');
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON.' };
      }
      if (!entry.Source || !entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source and DetailType are required.' };
      const time = entry.Time === undefined ? new Date() : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
      const event: ReceivedEvent = {
        id: randomUUID(),
        source: entry.Source,
        'detail-type': entry.DetailType,
        time: time.toISOString(),
        detail,
        eventBusName: entry.EventBusName ?? 'default',
      };
      events.push(event);
      if (events.length > keptEvents) events.shift();
      print(`event ${event['detail-type']} ${JSON.stringify(event.detail)}`);
      for (const rule of rulesFor(event)) deliverInBackground(rule, event);
      return { EventId: event.id };
    });
    return { status: 200, body: { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results } };
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method === 'GET' && request.url === '/events') {
        send(response, 200, events, 'application/json');
        return;
      }
      const redeliver = request.method === 'POST' ? /^\/events\/([\w-]+)\/redeliver$/.exec(request.url ?? '') : null;
      if (redeliver) {
        const event = events.find((candidate) => candidate.id === redeliver[1]);
        if (!event) {
          send(response, 404, { message: 'no such event' }, 'application/json');
          return;
        }
        const matching = rulesFor(event);
        const failed = (await Promise.allSettled(matching.map((rule) => rule.target(targetEvent(event))))).filter(
          (result) => result.status === 'rejected',
        ).length;
        send(response, 200, { targets: matching.length, failed }, 'application/json');
        return;
      }
      const target = request.headers['x-amz-target'];
      if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
        send(response, 400, {
          __type: 'UnknownOperationException',
          message: `The stand-in serves PutEvents only, not ${String(target)}.`,
        });
        return;
      }
      const answer = putEvents((await readJson(request)) as { Entries?: PutEventsEntry[] });
      send(response, answer.status, answer.body);
    })().catch(() => send(response, 400, { __type: 'SerializationException', message: 'The body is not valid JSON.' }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    addRule: (rule) => rules.push(rule),
    close: () =>
      new Promise((resolve) => {
        closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
