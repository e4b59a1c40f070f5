/**
 * A local stand-in for Amazon EventBridge's PutEvents, speaking its JSON wire protocol (awsJson1_1), so
 * the unmodified `@aws-sdk/client-eventbridge` publishes security events on this machine too. Each
 * event is printed (one line, the way a portal's rule would receive it) and kept for `GET /events`,
 * which the tests read.
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

export interface EventBridgeStandIn {
  url: string;
  /** Events received so far, oldest first (the last 10,000). */
  events: ReceivedEvent[];
  close(): Promise<void>;
}

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
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
