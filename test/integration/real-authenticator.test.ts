import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awayFromStepBoundary } from '../support/authenticator.js';
import { call, createTestApp, password, uniqueEmail } from '../support/api.js';

/**
 * A real authenticator and a real QR reader from Debian (`oathtool`, `zbarimg`; .ci/run installs them):
 * what they read and compute must be accepted as is.
 */
const haveTools = ['oathtool', 'zbarimg'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const describeWithTools = haveTools ? describe : describe.skip;

describeWithTools('a real authenticator (oathtool) and QR reader (zbarimg)', () => {
  it('enrolls from the scanned QR PNG and signs in with the codes oathtool computes', async () => {
    const app = await createTestApp({ name: 'Demo Portal', mode: 'optional' });
    const email = uniqueEmail('oath');
    const token = (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } })).body.session.token;
    const enrollment = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment`, { token });
    const png = join(mkdtempSync(join(tmpdir(), 'qr-')), 'qr.png');
    writeFileSync(png, Buffer.from(enrollment.body.qrCode.pngDataUrl.split(',')[1], 'base64'));

    const scanned = execFileSync('zbarimg', ['--quiet', '--raw', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

    expect(scanned).toBe(enrollment.body.otpauthUri);
    expect(scanned).toContain('issuer=Demo%20Portal');
    const secret = new URL(scanned).searchParams.get('secret')!;
    const oathtool = (offsetSteps: number) =>
      execFileSync(
        'oathtool',
        [
          '--totp',
          '--base32',
          `--now=${new Date(Date.now() + offsetSteps * 30_000).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
          secret,
        ],
        { encoding: 'utf8' },
      ).trim();
    await awayFromStepBoundary();
    const confirm = await call('POST', `/v1/apps/${app.appId}/2fa/enrollment/confirm`, { token, body: { code: oathtool(-1) } });
    expect(confirm.status).toBe(200);
    const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password } });
    const verify = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: login.body.challenge.token, code: oathtool(0) },
    });
    expect(verify.body).toMatchObject({ status: 'SIGNED_IN', session: { assurance: 'two_factor' } });
  });
});
