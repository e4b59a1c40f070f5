import { spawnSync } from 'node:child_process';
import { call, password, uniqueEmail } from '../support/api.js';

/** `npm run cli` drives the platform functions through the real Lambda client. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args, '--local', process.env.TWOFA_LAMBDA_URL!], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the platform CLI against the local stack', () => {
  it('creates an app whose admin can then sign in, and changes its plan', () => {
    const adminEmail = uniqueEmail('cli-admin');

    const created = cli(
      'create-app',
      '--name',
      'CLI Portal',
      '--plan',
      'business',
      '--admin-email',
      adminEmail,
      '--admin-password',
      password,
    );

    expect(created.status).toBe(0);
    const { appId } = JSON.parse(created.stdout) as { appId: string };
    expect(appId).toMatch(/^app_/);
    const planned = cli('set-plan', '--app-id', appId, '--plan', 'enterprise');
    expect(planned.status).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({ plan: 'enterprise', allowedModes: ['off', 'optional', 'required'] });
    return call('POST', `/v1/apps/${appId}/login`, { body: { email: adminEmail, password } }).then((login) => {
      expect(login.body).toMatchObject({ status: 'SIGNED_IN', user: { role: 'admin' } });
    });
  });

  it('exits non-zero with the error code on a refusal', () => {
    const refused = cli('set-plan', '--app-id', 'no-such-app', '--plan', 'pro');

    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('not_found');
  });

  it('prints usage and exits 2 for an unknown command', () => {
    const unknown = cli('frobnicate');

    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('create-app');
  });
});
