import { createHash, createHmac } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from 'node:http';

/** A request as the double received it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the double answers one request: an answer, or `hang` (never answer; the caller must give up). */
export type ScriptedAnswer = { status: number; errorType?: string; body: object } | 'hang';

/** A loopback HTTP server standing in for the network in front of an AWS JSON endpoint. */
export interface AwsJsonDouble {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Answers the n-th request with `answers[n]` (the last one for every request after them). For what DynamoDB
 * Local and the KMS stand-in cannot be made to do on demand: throttle, fail with a 5xx, hang.
 */
export async function startAwsJsonDouble(
  answers: ScriptedAnswer[] | ((request: ReceivedRequest) => ScriptedAnswer),
): Promise<AwsJsonDouble> {
  const received: ReceivedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request = { headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      const answer = typeof answers === 'function' ? answers(request) : (answers[received.length - 1] ?? answers.at(-1));
      if (!answer || answer === 'hang') return;
      outgoing.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        ...(answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {}),
      });
      outgoing.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the double has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Whether `request` (a POST to `/`) carries a valid SigV4 signature for `secretAccessKey`, recomputed here
 * from AWS's documented algorithm (canonical request, string to sign, derived key) independently of the
 * signer under test, over the headers the request says it signed.
 */
export function signatureIsValid(request: ReceivedRequest, secretAccessKey: string): boolean {
  const authorization = request.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return false;
  const [, , date, region, service, signedHeaders, signature] = match as unknown as string[];
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date!)) return false;
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-target')) return false;
  const canonicalHeaders = names.map((name) => `${name}:${String(request.headers[name] ?? '').trim()}\n`).join('');
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256(request.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex') === signature;
}
