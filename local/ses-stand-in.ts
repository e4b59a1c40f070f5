/**
 * A local stand-in for Amazon SES v2's SendEmail, speaking its REST-JSON wire protocol
 * (`POST /v2/email/outbound-emails`), so the unmodified `@aws-sdk/client-sesv2` sends the security emails
 * on this machine too. Each message becomes three files in the mail folder, `<time>-<id>.json` (everything,
 * written last, so a reader that finds it finds the other two), `.txt` and `.html` (open it in a browser),
 * and one printed line: who it is to and its subject.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { join } from 'node:path';

/** One message as the stand-in wrote it to `<id>.json`. */
export interface StoredMail {
  messageId: string;
  receivedAt: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  configurationSet: string | null;
  text: string | null;
  html: string | null;
}

export interface SesStandIn {
  url: string;
  mailDir: string;
  close(): Promise<void>;
}

interface Content {
  Data?: string;
}

interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ConfigurationSetName?: string;
  Content?: { Simple?: { Subject?: Content; Body?: { Text?: Content; Html?: Content } }; Raw?: unknown; Template?: unknown };
}

/** SES refuses more than 50 recipients a message. */
const maxRecipients = 50;

/** REST-JSON errors: the type in `x-amzn-ErrorType`, the message in the body, as the SDK parses them. */
function refuse(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ message }));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What SES would refuse in a simple-content message, or null when it would accept it. */
function problemWith(request: SendEmailRequest): string | null {
  if (!request.FromEmailAddress) return 'FromEmailAddress is required.';
  const destination = request.Destination ?? {};
  const recipients = [...(destination.ToAddresses ?? []), ...(destination.CcAddresses ?? []), ...(destination.BccAddresses ?? [])];
  if (recipients.length === 0) return 'The message has no recipient.';
  if (recipients.length > maxRecipients) return `At most ${maxRecipients} recipients are allowed.`;
  const simple = request.Content?.Simple;
  if (!simple) return 'The stand-in accepts Simple content only.';
  if (!simple.Subject?.Data) return 'Subject is required.';
  if (!simple.Body?.Text?.Data && !simple.Body?.Html?.Data) return 'A Text or Html body is required.';
  return null;
}

/** Starts the stand-in on loopback, writing into `mailDir` (created if needed); `print` gets one line per message. */
export async function startSesStandIn(options: { mailDir: string; port?: number; print?: (line: string) => void }): Promise<SesStandIn> {
  const { mailDir } = options;
  mkdirSync(mailDir, { recursive: true, mode: 0o700 });
  const print = options.print ?? ((line: string) => console.log(line));

  const store = (request: SendEmailRequest): string => {
    const messageId = randomUUID();
    const simple = request.Content?.Simple;
    const mail: StoredMail = {
      messageId,
      receivedAt: new Date().toISOString(),
      from: request.FromEmailAddress ?? '',
      to: request.Destination?.ToAddresses ?? [],
      cc: request.Destination?.CcAddresses ?? [],
      bcc: request.Destination?.BccAddresses ?? [],
      subject: simple?.Subject?.Data ?? '',
      configurationSet: request.ConfigurationSetName ?? null,
      text: simple?.Body?.Text?.Data ?? null,
      html: simple?.Body?.Html?.Data ?? null,
    };
    const base = join(mailDir, `${mail.receivedAt.replace(/[:.]/g, '-')}-${messageId}`);
    if (mail.text !== null) writeFileSync(`${base}.txt`, mail.text, { mode: 0o600 });
    if (mail.html !== null) writeFileSync(`${base}.html`, mail.html, { mode: 0o600 });
    writeFileSync(`${base}.json.partial`, JSON.stringify(mail, null, 2), { mode: 0o600 });
    renameSync(`${base}.json.partial`, `${base}.json`);
    print(`mail to ${[...mail.to, ...mail.cc, ...mail.bcc].join(', ')}: ${JSON.stringify(mail.subject)}`);
    return messageId;
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (request.method !== 'POST' || path !== '/v2/email/outbound-emails') {
        refuse(response, 404, 'NotFoundException', `The stand-in serves SendEmail only, not ${request.method ?? ''} ${path}.`);
        return;
      }
      let body: SendEmailRequest;
      try {
        body = JSON.parse((await readBody(request)) || '{}') as SendEmailRequest;
      } catch {
        refuse(response, 400, 'BadRequestException', 'The body is not valid JSON.');
        return;
      }
      const problem = problemWith(body);
      if (problem) {
        refuse(response, 400, 'BadRequestException', problem);
        return;
      }
      const messageId = store(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ MessageId: messageId }));
    })().catch(() => refuse(response, 500, 'InternalFailure', 'The stand-in could not store the message.'));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    mailDir,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
