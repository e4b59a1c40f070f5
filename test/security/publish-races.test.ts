import { type TestApp, call, createTestApp } from '../support/api.js';
import { faultSwitch } from '../support/faults.js';
import { inParallel, parallelRequests } from '../support/parallel.js';
import { partition, storedItem } from '../support/table.js';

/** Admins publishing at once: each publish gets its own version, none is lost, the newest is live. */
describe('publish races', () => {
  const faults = faultSwitch('publish-races');
  let app: TestApp;

  beforeAll(async () => {
    // Version 1 publishes `optional`; the draft then moves on to `off`.
    app = await createTestApp({ plan: 'enterprise', mode: 'optional' });
    await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken, body: { mode: 'off' } });
  });

  afterEach(() => faults.clear());

  const publish = () => call('POST', `/v1/apps/${app.appId}/publish`, { token: app.adminToken });

  it('gives 50 parallel publishes 50 consecutive versions, records each, and leaves the newest live', async () => {
    const before = (await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken })).body.published
      .version as number;

    const answers = await inParallel(parallelRequests, publish);

    expect(answers.map((answer) => answer.status)).toEqual(Array(parallelRequests).fill(200));
    const versions = answers.map((answer) => answer.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: parallelRequests }, (_, index) => before + 1 + index));
    expect(answers.every((answer) => answer.body.config.twoFactor.mode === 'off')).toBe(true);
    // None lost: every version has its config record and its audit event.
    const configs = (await partition(`APP#${app.appId}`)).filter((item) => String(item.sk).startsWith('CONFIG#'));
    expect(configs.map((item) => item.version as number).filter((version) => version > before)).toEqual(versions);
    const audit = (await call('GET', `/v1/apps/${app.appId}/audit-events?limit=100`, { token: app.adminToken })).body.events;
    expect(audit.filter((event: { type: string }) => event.type === 'config.published')).toHaveLength(parallelRequests + 1);
    // The newest version is the live one, and what runtime decisions read.
    const newest = versions.at(-1)!;
    const settings = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
    expect([settings.body.published.version, settings.body.published.mode, settings.body.unpublishedChanges]).toEqual([
      newest,
      'off',
      false,
    ]);
    expect(settings.body.published.publishedAt).toBe(answers.find((answer) => answer.body.version === newest)!.body.publishedAt);
    expect((await storedItem(`APP#${app.appId}`, 'APP'))!.publishedVersion).toBe(newest);
    expect((await call('GET', `/v1/apps/${app.appId}/me`, { token: app.adminToken })).body.app.twoFactorMode).toBe('off');
  });

  it('publishes when transaction conflicts outlast the store’s own retries', async () => {
    const before = (await storedItem(`APP#${app.appId}`, 'APP'))!.publishedVersion as number;
    await faults.inject([
      {
        service: 'dynamodb',
        operation: 'TransactWriteItems',
        bodyIncludes: `APP#${app.appId}"`,
        status: 400,
        type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]',
        details: { CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }] },
        times: 12,
      },
    ]);

    const published = await publish();

    expect([published.status, published.body.version]).toEqual([200, before + 1]);
  });
});
