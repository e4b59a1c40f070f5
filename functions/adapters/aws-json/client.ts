import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import aws4 from 'aws4';
import { environmentCredentials, type EnvironmentCredentials } from '../../commons/lambda-credentials.js';
import { DeadlineExceededError, currentDeadline } from '../../commons/request-deadline.js';
import { awsCallLimits } from '../aws-client-settings.js';
import { AwsServiceError, RetryQuota, TimeoutError, backoffMs, isRetryable, isThrottling, serviceErrorOf } from './retries.js';

/** An AWS service spoken to in one of its JSON protocols (`awsJson1_0`, `awsJson1_1`). */
export interface AwsJsonService {
  /** SigV4 signing name and endpoint prefix: `dynamodb`, `kms`. */
  signingName: string;
  /** The `AWS_ENDPOINT_URL_<ID>` that overrides its endpoint, as the SDK reads it: `DYNAMODB`, `KMS`. */
  endpointId: string;
  /** The `X-Amz-Target` prefix: `DynamoDB_20120810`, `TrentService`. */
  targetPrefix: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
}

/** What a test or tool may set instead of the environment. */
export interface AwsJsonClientOptions {
  endpoint?: string;
  region?: string;
  credentials?: EnvironmentCredentials;
}

/** Like the SDK's Node.js handler: keep-alive sockets, at most 50 per host. */
const agentOptions = { keepAlive: true, maxSockets: 50 };

/**
 * A client for one AWS JSON-protocol service with what the request path needs of the SDK and nothing else:
 * SigV4 (`aws4`), the endpoint, region and credentials from the environment as the SDK reads them
 * (`AWS_ENDPOINT_URL_<ID>`, then `AWS_ENDPOINT_URL`; `AWS_REGION`; Lambda's `AWS_ACCESS_KEY_ID`, …), the
 * timeouts and attempts of `awsCallLimits`, the SDK's standard retry mode (throttles, 500/502/503/504, timeouts
 * and dropped connections, with its backoff and retry quota: retries.ts), and the deadline of the request being served
 * (`withinDeadline`): no attempt starts and no backoff is waited once it has passed, and an attempt in flight
 * is given up then. Each call carries an `amz-sdk-invocation-id`, kept across its retries, as the SDK's do.
 */
export class AwsJsonClient {
  private readonly quota = new RetryQuota();
  private readonly agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  private target?: { url: URL; region: string };

  constructor(
    private readonly service: AwsJsonService,
    private readonly options: AwsJsonClientOptions = {},
  ) {}

  /** Calls `operation` with `input` (already in the wire's JSON shape) and answers the parsed response. */
  async call(operation: string, input: object): Promise<Record<string, unknown>> {
    const signal = currentDeadline()?.signal;
    const body = JSON.stringify(input);
    const invocationId = randomUUID();
    let retryCost = 0;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new DeadlineExceededError();
      try {
        const answer = await this.attempt(operation, body, { invocationId, attempt, signal });
        this.quota.succeeded(retryCost);
        return answer;
      } catch (error) {
        if (error instanceof DeadlineExceededError || attempt >= awsCallLimits.maxAttempts || !isRetryable(error)) throw error;
        retryCost = this.quota.take(error);
        if (retryCost === 0) throw error;
        await backoff(backoffMs(attempt - 1, isThrottling(error)), signal);
      }
    }
  }

  /** Closes the kept-alive sockets (tests and tools; a Lambda environment keeps them until it is frozen). */
  destroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private endpoint(): { url: URL; region: string } {
    if (this.target) return this.target;
    const { env } = process;
    const region = this.options.region ?? env.AWS_REGION;
    if (!region) throw new Error('No AWS region: Lambda sets AWS_REGION');
    const configured = this.options.endpoint ?? env[`AWS_ENDPOINT_URL_${this.service.endpointId}`] ?? env.AWS_ENDPOINT_URL;
    const url = new URL(configured ?? `https://${this.service.signingName}.${region}.amazonaws.com`);
    this.target = { url, region };
    return this.target;
  }

  private attempt(
    operation: string,
    body: string,
    call: { invocationId: string; attempt: number; signal: AbortSignal | undefined },
  ): Promise<Record<string, unknown>> {
    const { url, region } = this.endpoint();
    const secure = url.protocol === 'https:';
    const signed = aws4.sign(
      {
        method: 'POST',
        host: url.hostname,
        path: url.pathname,
        service: this.service.signingName,
        region,
        body,
        headers: {
          host: url.host,
          'content-type': this.service.contentType,
          'x-amz-target': `${this.service.targetPrefix}.${operation}`,
          'amz-sdk-invocation-id': call.invocationId,
          'amz-sdk-request': `attempt=${call.attempt}; max=${awsCallLimits.maxAttempts}`,
        },
      },
      this.options.credentials ?? environmentCredentials(),
    );
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: signed.headers,
        agent: secure ? this.agents.https : this.agents.http,
      });
      const giveUp = (error: Error) => {
        reject(error);
        request.destroy();
      };
      const onDeadline = () => giveUp(new DeadlineExceededError());
      call.signal?.addEventListener('abort', onDeadline, { once: true });
      request.once('close', () => call.signal?.removeEventListener('abort', onDeadline));
      request.setTimeout(awsCallLimits.requestTimeoutMs, () =>
        giveUp(new TimeoutError(`no answer within ${awsCallLimits.requestTimeoutMs} ms`)),
      );
      request.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => giveUp(new TimeoutError(`no connection within ${awsCallLimits.connectionTimeoutMs} ms`)),
          awsCallLimits.connectionTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      request.once('error', reject);
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', reject);
        response.once('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) {
            try {
              resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
            } catch (error) {
              reject(new AwsServiceError('SerializationException', 'the answer is not JSON', status, {}, { cause: error }));
            }
          } else reject(serviceErrorOf(status, response.headers['x-amzn-errortype'], text));
        });
      });
      request.end(signed.body);
    });
  }
}

/** Waits `delay` ms before the next attempt, unless the request's deadline passes first. */
function backoff(delay: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDeadline = () => {
      clearTimeout(timer);
      reject(new DeadlineExceededError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onDeadline);
      resolve();
    }, delay);
    signal?.addEventListener('abort', onDeadline, { once: true });
  });
}
