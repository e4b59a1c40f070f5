import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { type TestApp, call, createTestApp } from '../support/api.js';

/**
 * The local stack's Lambda Invoke endpoint (what `npm run cli` talks to) against a web page in the
 * developer's browser: a cross-site `text/plain` POST needs no preflight, and DNS rebinding lets a page on
 * an attacker's name reach 127.0.0.1 with that name as `Host`. The endpoint refuses anything that carries
 * an `Origin` or addresses another host; the CLI, which sends neither, keeps working.
 */

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A POST to the Invoke endpoint with exactly these headers (fetch would not let a test set `Host`). */
function invoke(functionName: string, payload: unknown, headers: Record<string, string>): Promise<RawAnswer> {
  const endpoint = new URL(process.env.TWOFA_LAMBDA_URL!);
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: endpoint.hostname,
        port: endpoint.port,
        method: 'POST',
        path: `/2015-03-31/functions/${functionName}/invocations`,
        headers: { 'content-length': String(body.length), ...headers },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** `npm run cli` through the real Lambda client against the local Invoke endpoint. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args, '--local', process.env.TWOFA_LAMBDA_URL!], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function planOf(app: TestApp): Promise<string> {
  const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
  return settings.body.plan as string;
}

function expectRefused(answer: RawAnswer): void {
  expect(answer.status).toBe(403);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(answer.text)).toMatchObject({ message: expect.any(String) });
}

/** The Invoke endpoint's port (the global setup has started the stack before this file loads). */
const port = new URL(process.env.TWOFA_LAMBDA_URL!).port;
const apiPort = new URL(process.env.TWOFA_API_URL!).port;

describe('the local Lambda Invoke endpoint', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'business' });
  });

  it('refuses a cross-site text/plain POST from a web page, and the plan is unchanged', async () => {
    const answer = await invoke(
      'setPlan',
      { appId: app.appId, plan: 'free' },
      { origin: 'https://evil.example', 'content-type': 'text/plain', host: `127.0.0.1:${port}` },
    );

    expectRefused(answer);
    expect(await planOf(app)).toBe('business');
  });

  it.each(['null', `http://127.0.0.1:${apiPort}`, 'http://localhost:8080'])(
    'refuses a POST with Origin %s, even from this machine, and the plan is unchanged',
    async (origin) => {
      const answer = await invoke(
        'setPlan',
        { appId: app.appId, plan: 'free' },
        { origin, 'content-type': 'application/json', host: `127.0.0.1:${port}` },
      );

      expectRefused(answer);
      expect(await planOf(app)).toBe('business');
    },
  );

  it.each(['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, `[::2]:${port}`])(
    'refuses a request whose Host is %j (DNS rebinding), and the plan is unchanged',
    async (host) => {
      const answer = await invoke('setPlan', { appId: app.appId, plan: 'free' }, { host, 'content-type': 'application/json' });

      expectRefused(answer);
      expect(await planOf(app)).toBe('business');
    },
  );

  it.each([`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'localhost'])(
    'takes the same request with Host %s and no Origin (the refusals above are for the headers, not the payload)',
    async (host) => {
      const answer = await invoke('setPlan', { appId: app.appId, plan: 'pro' }, { host, 'content-type': 'application/json' });

      expect(answer.status).toBe(200);
      expect(answer.headers['x-amz-function-error']).toBeUndefined();
      expect(await planOf(app)).toBe('pro');
      const back = await invoke('setPlan', { appId: app.appId, plan: 'business' }, { host, 'content-type': 'application/json' });
      expect(back.status).toBe(200);
    },
  );

  it('still serves the platform CLI (the AWS SDK sends no Origin and a loopback Host)', async () => {
    const planned = cli('set-plan', '--app-id', app.appId, '--plan', 'enterprise');

    expect(planned.status).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({ plan: 'enterprise' });
    expect(await planOf(app)).toBe('enterprise');
  });
});
