/**
 * A local stand-in for the Amazon SQS dead-letter queue of security events, speaking SQS's JSON wire protocol
 * (awsJson1_0, `AmazonSQS.<Action>`), so the unmodified `@aws-sdk/client-sqs` keeps refused events on this
 * machine too: `SendMessage` (the event publisher), `ReceiveMessage` and `DeleteMessage` (the redrive
 * command). One queue, in memory; `GET /messages` lists what it holds, which the tests read.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

interface MessageAttribute {
  DataType: string;
  StringValue?: string;
}

interface QueuedMessage {
  MessageId: string;
  Body: string;
  MessageAttributes: Record<string, MessageAttribute>;
  /** Epoch ms until which a received message stays hidden from other receivers. */
  invisibleUntil: number;
  receiptHandle: string | null;
}

export interface SqsStandIn {
  url: string;
  /** The queue's URL, as `SendMessage` and `ReceiveMessage` name it. */
  queueUrl(endpoint: string): string;
  close(): Promise<void>;
}

const deadLetterQueueName = 'two-factor-unpublished-events';
const accountId = '000000000000';
const maxKept = 10_000;

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/x-amz-json-1.0'): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(JSON.stringify(body));
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

function fault(type: string, message: string) {
  return { status: 400, body: { __type: `com.amazonaws.sqs#${type}`, message } };
}

/** Starts the stand-in on loopback. */
export async function startSqsStandIn(): Promise<SqsStandIn> {
  const messages: QueuedMessage[] = [];
  const queuePath = `/${accountId}/${deadLetterQueueName}`;
  const ofThisQueue = (queueUrl: unknown) => typeof queueUrl === 'string' && queueUrl.endsWith(queuePath);

  const actions: Record<string, (input: Record<string, unknown>) => { status: number; body: unknown }> = {
    SendMessage: (input) => {
      if (!ofThisQueue(input.QueueUrl)) return fault('QueueDoesNotExist', 'The specified queue does not exist.');
      if (typeof input.MessageBody !== 'string' || input.MessageBody === '')
        return fault('InvalidParameterValue', 'MessageBody is required.');
      const message: QueuedMessage = {
        MessageId: randomUUID(),
        Body: input.MessageBody,
        MessageAttributes: (input.MessageAttributes ?? {}) as Record<string, MessageAttribute>,
        invisibleUntil: 0,
        receiptHandle: null,
      };
      messages.push(message);
      if (messages.length > maxKept) messages.shift();
      return { status: 200, body: { MessageId: message.MessageId, MD5OfMessageBody: md5(message.Body) } };
    },
    ReceiveMessage: (input) => {
      if (!ofThisQueue(input.QueueUrl)) return fault('QueueDoesNotExist', 'The specified queue does not exist.');
      const now = Date.now();
      const visibilityMs = 1000 * (typeof input.VisibilityTimeout === 'number' ? input.VisibilityTimeout : 30);
      const wanted = Math.min(10, typeof input.MaxNumberOfMessages === 'number' ? input.MaxNumberOfMessages : 1);
      const received = messages.filter((message) => message.invisibleUntil <= now).slice(0, wanted);
      for (const message of received) {
        message.invisibleUntil = now + visibilityMs;
        message.receiptHandle = randomUUID();
      }
      return {
        status: 200,
        body: {
          Messages: received.map((message) => ({
            MessageId: message.MessageId,
            ReceiptHandle: message.receiptHandle,
            MD5OfBody: md5(message.Body),
            Body: message.Body,
            MessageAttributes: message.MessageAttributes,
          })),
        },
      };
    },
    DeleteMessage: (input) => {
      const at = messages.findIndex((message) => message.receiptHandle !== null && message.receiptHandle === input.ReceiptHandle);
      if (!ofThisQueue(input.QueueUrl) || at < 0) return fault('ReceiptHandleIsInvalid', 'The receipt handle is not valid.');
      messages.splice(at, 1);
      return { status: 200, body: {} };
    },
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method === 'GET' && request.url === '/messages') {
        send(
          response,
          200,
          messages.map(({ MessageId, Body, MessageAttributes }) => ({ MessageId, Body, MessageAttributes })),
          'application/json',
        );
        return;
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      const action = target.startsWith('AmazonSQS.') ? actions[target.slice('AmazonSQS.'.length)] : undefined;
      if (request.method !== 'POST' || !action) {
        send(response, 400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `The stand-in does not serve ${target}.` });
        return;
      }
      const answer = action(await readJson(request));
      send(response, answer.status, answer.body);
    })().catch(() => send(response, 400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: 'The body is not valid JSON.' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    queueUrl: (endpoint) => `${endpoint}${queuePath}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
