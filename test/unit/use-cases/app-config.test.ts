import { jest } from '@jest/globals';
import type { AuditEvent, Plan, TwoFactorMode } from '../../../functions/core/model.js';
import type { EventPublisher } from '../../../functions/core/ports.js';
import type { SecurityEvent } from '../../../functions/core/security-events.js';
import { allowedOriginsOf, setAllowedOrigins } from '../../../functions/core/use-cases/allowed-origins.js';
import { createApp } from '../../../functions/core/use-cases/create-app.js';
import { getMe } from '../../../functions/core/use-cases/get-me.js';
import { publishConfig } from '../../../functions/core/use-cases/publish-config.js';
import { publishSecurityEvents } from '../../../functions/core/use-cases/publish-security-events.js';
import { setPlan } from '../../../functions/core/use-cases/set-plan.js';
import { stepUp } from '../../../functions/core/use-cases/step-up.js';
import { getTwoFactorSettings, readSettings, updateTwoFactorSettings } from '../../../functions/core/use-cases/two-factor-settings.js';
import {
  Gate,
  type SeededApp,
  World,
  auditEntries,
  codeAt,
  minuteMs,
  outcomeOf,
  password,
  seedApp,
  seedEnrolledUser,
  seedUser,
} from '../../support/domain/world.js';

/**
 * An app's configuration (README, Design: Plans and publishing; Security events; CORS): admins edit a draft
 * and publish it as the next version; a plan decides which modes may be set, and a downgrade lowers the live
 * mode at once; concurrent publishes take consecutive versions; a change that weakens the app needs a recent
 * second factor; allowed origins; and the security events the audit trail is published as.
 */

let world: World;

beforeEach(() => {
  world = new World();
});

const edit = (seeded: SeededApp, mode: TwoFactorMode, rememberDeviceDays?: number, token = seeded.admin.sessionToken) =>
  updateTwoFactorSettings(world.deps, {
    appId: seeded.app.id,
    token,
    mode,
    ...(rememberDeviceDays === undefined ? {} : { rememberDeviceDays }),
  });
const publish = (seeded: SeededApp, token = seeded.admin.sessionToken) =>
  publishConfig(world.deps, { appId: seeded.app.id, token, deadline: world.now + minuteMs });

describe('createApp', () => {
  it.each([
    { publishInitialConfig: false, published: null },
    {
      publishInitialConfig: true,
      published: { version: 1, mode: 'off', rememberDeviceDays: 0, requiredGraceDays: 0, requiredForRoles: [], requiredSince: {} },
    },
  ])(
    'creates the app, its admin and an off draft; publishInitialConfig $publishInitialConfig',
    async ({ publishInitialConfig, published }) => {
      // Act
      const created = await createApp(world.deps, {
        name: 'Acme Portal',
        plan: 'business',
        adminEmail: 'Admin@Acme.test',
        adminPassword: password,
        allowedOrigins: ['https://portal.acme.test', 'https://portal.acme.test'],
        publishInitialConfig,
      });

      // Assess
      const settings = await readSettings(world.deps, created.appId);
      expect(settings).toMatchObject({
        plan: 'business',
        draft: { mode: 'off', rememberDeviceDays: 0 },
        unpublishedChanges: !publishInitialConfig,
      });
      expect(settings.published === null ? null : { ...settings.published, publishedAt: undefined }).toEqual(
        published && { ...published, publishedAt: undefined },
      );
      await expect(world.deps.users.findUserByEmail(created.appId, 'admin@acme.test')).resolves.toMatchObject({
        id: created.adminUserId,
        role: 'admin',
      });
      await expect(allowedOriginsOf(world.deps, created.appId)).resolves.toEqual(['https://portal.acme.test']);
      const [audit] = await auditEntries(world, created.appId, 'app.created');
      expect(audit).toMatchObject({ actorId: 'platform', targetUserId: created.adminUserId, detail: { plan: 'business' } });
    },
  );

  it('refuses an app id that exists', async () => {
    // Prepare
    const seeded = await seedApp(world);

    // Act
    const result = await outcomeOf(
      createApp(world.deps, { appId: seeded.app.id, name: 'Again', plan: 'free', adminEmail: 'other@acme.test', adminPassword: password }),
    );

    // Assess
    expect(result).toBe('validation_error');
  });
});

describe('what a plan may set', () => {
  it.each([
    { plan: 'free', mode: 'off', days: 0, outcome: 'ok' },
    { plan: 'free', mode: 'optional', days: 0, outcome: 'plan_upgrade_required' },
    { plan: 'free', mode: 'required', days: 0, outcome: 'plan_upgrade_required' },
    { plan: 'free', mode: 'off', days: 7, outcome: 'plan_upgrade_required' },
    { plan: 'pro', mode: 'off', days: 0, outcome: 'ok' },
    { plan: 'pro', mode: 'optional', days: 0, outcome: 'plan_upgrade_required' },
    { plan: 'pro', mode: 'off', days: 7, outcome: 'plan_upgrade_required' },
    { plan: 'business', mode: 'optional', days: 7, outcome: 'ok' },
    { plan: 'business', mode: 'required', days: 0, outcome: 'plan_upgrade_required' },
    { plan: 'enterprise', mode: 'optional', days: 0, outcome: 'ok' },
    { plan: 'enterprise', mode: 'required', days: 30, outcome: 'ok' },
  ] as { plan: Plan; mode: TwoFactorMode; days: number; outcome: string }[])(
    'the $plan plan answers $outcome to mode $mode with $days remembered days',
    async ({ plan, mode, days, outcome }) => {
      // Prepare
      const seeded = await seedApp(world, { plan });

      // Act
      const result = await outcomeOf(edit(seeded, mode, days));

      // Assess
      expect(result).toBe(outcome);
    },
  );
});

describe('draft and published config', () => {
  it('an edit changes the draft only; a publish puts it in force as the next version', async () => {
    // Prepare
    const seeded = await seedApp(world);
    const member = await seedUser(world, seeded.app);

    // Act
    const edited = await edit(seeded, 'optional', 3);
    const modeBeforePublish = (await getMe(world.deps, { appId: seeded.app.id, token: member.sessionToken })).app.twoFactorMode;
    const first = await publish(seeded);
    const afterPublish = await getTwoFactorSettings(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken });
    world.advance(1_000);
    const second = await publish(seeded);

    // Assess
    expect(edited).toMatchObject({ draft: { mode: 'optional', rememberDeviceDays: 3 }, published: null, unpublishedChanges: true });
    expect(modeBeforePublish).toBe('off');
    expect(first).toMatchObject({ version: 1, config: { twoFactor: { mode: 'optional', rememberDeviceDays: 3 } } });
    expect(afterPublish).toMatchObject({ published: { version: 1, mode: 'optional', rememberDeviceDays: 3 }, unpublishedChanges: false });
    expect(second.version).toBe(2);
    await expect(getMe(world.deps, { appId: seeded.app.id, token: member.sessionToken })).resolves.toMatchObject({
      app: { twoFactorMode: 'optional' },
    });
    const published = await auditEntries(world, seeded.app.id, 'config.published');
    expect(published.map((event) => event.detail)).toEqual([
      { version: 1, mode: 'optional', rememberDeviceDays: 3, requiredGraceDays: 0, requiredForRoles: '' },
      { version: 2, mode: 'optional', rememberDeviceDays: 3, requiredGraceDays: 0, requiredForRoles: '' },
    ]);
  });

  it('keeps the draft’s remembered days when an edit leaves them out', async () => {
    // Prepare
    const seeded = await seedApp(world);
    await edit(seeded, 'optional', 5);

    // Act
    const edited = await edit(seeded, 'required');

    // Assess
    expect(edited.draft).toEqual({ mode: 'required', rememberDeviceDays: 5, requiredGraceDays: 0, requiredForRoles: [] });
  });

  it('is for admins only', async () => {
    // Prepare
    const seeded = await seedApp(world);
    const member = await seedUser(world, seeded.app);

    // Act
    const outcomes = await Promise.all([
      outcomeOf(edit(seeded, 'optional', 0, member.sessionToken)),
      outcomeOf(publish(seeded, member.sessionToken)),
    ]);

    // Assess
    expect(outcomes).toEqual(['forbidden', 'forbidden']);
  });

  it('answers service_unavailable once its deadline has passed, publishing nothing', async () => {
    // Prepare
    const seeded = await seedApp(world);

    // Act
    const result = await outcomeOf(
      publishConfig(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, deadline: world.now }),
    );

    // Assess
    expect(result).toBe('service_unavailable');
    await expect(readSettings(world.deps, seeded.app.id)).resolves.toMatchObject({ published: null });
  });

  it('gives 25 concurrent publishes consecutive versions', async () => {
    // Prepare
    const seeded = await seedApp(world);

    // Act
    const published = await Promise.all(Array.from({ length: 25 }, () => publish(seeded)));

    // Assess
    expect(published.map((result) => result.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    await expect(readSettings(world.deps, seeded.app.id)).resolves.toMatchObject({ published: { version: 25 } });
  });
});

describe('changes that weaken the app', () => {
  let seeded: SeededApp;

  beforeEach(async () => {
    seeded = await seedApp(world, { published: { mode: 'required', rememberDeviceDays: 7 } });
  });

  it.each([
    { change: 'a lower mode', mode: 'optional', days: 7, outcome: 'step_up_required' },
    { change: 'more remembered days', mode: 'required', days: 8, outcome: 'step_up_required' },
    { change: 'fewer remembered days', mode: 'required', days: 6, outcome: 'ok' },
  ] as { change: string; mode: TwoFactorMode; days: number; outcome: string }[])(
    'an enrolled admin’s edit to $change without a recent second factor answers $outcome',
    async ({ mode, days, outcome }) => {
      // Prepare
      const admin = await seedEnrolledUser(world, seeded.app, 'admin');

      // Act
      const result = await outcomeOf(edit(seeded, mode, days, admin.sessionToken));

      // Assess
      expect(result).toBe(outcome);
    },
  );

  it('a publish that weakens the live config needs its own recent second factor, not the edit’s', async () => {
    // Prepare: the edit is stepped up; ten minutes later, the publish is not.
    const admin = await seedEnrolledUser(world, seeded.app, 'admin');
    await stepUp(world.deps, { appId: seeded.app.id, token: admin.sessionToken, code: codeAt(admin.secret, world.now) });
    await edit(seeded, 'optional', 7, admin.sessionToken);
    world.advance(10 * minuteMs);

    // Act
    const late = await outcomeOf(publish(seeded, admin.sessionToken));
    await stepUp(world.deps, { appId: seeded.app.id, token: admin.sessionToken, code: codeAt(admin.secret, world.now) });
    const steppedUp = await publish(seeded, admin.sessionToken);

    // Assess
    expect(late).toBe('step_up_required');
    expect(steppedUp).toMatchObject({ version: 2, config: { twoFactor: { mode: 'optional', rememberDeviceDays: 7 } } });
  });
});

describe('setPlan', () => {
  const allowedModesOf: Record<Plan, TwoFactorMode[]> = {
    free: ['off'],
    pro: ['off'],
    business: ['off', 'optional'],
    enterprise: ['off', 'optional', 'required'],
  };

  it.each([
    { from: 'enterprise', live: 'required', days: 7, to: 'business', after: { version: 2, mode: 'optional', rememberDeviceDays: 7 } },
    { from: 'enterprise', live: 'required', days: 7, to: 'pro', after: { version: 2, mode: 'off', rememberDeviceDays: 0 } },
    { from: 'business', live: 'optional', days: 7, to: 'free', after: { version: 2, mode: 'off', rememberDeviceDays: 0 } },
    { from: 'enterprise', live: 'optional', days: 7, to: 'business', after: { version: 1, mode: 'optional', rememberDeviceDays: 7 } },
    { from: 'business', live: 'optional', days: 7, to: 'enterprise', after: { version: 1, mode: 'optional', rememberDeviceDays: 7 } },
  ] as {
    from: Plan;
    live: TwoFactorMode;
    days: number;
    to: Plan;
    after: { version: number; mode: TwoFactorMode; rememberDeviceDays: number };
  }[])(
    'from $from with $live live, to $to, leaves version $after.version with $after.mode live',
    async ({ from, live, days, to, after }) => {
      // Prepare
      const seeded = await seedApp(world, { plan: from, published: { mode: live, rememberDeviceDays: days } });

      // Act
      const settings = await setPlan(world.deps, { appId: seeded.app.id, plan: to, actor: 'platform:billing' });

      // Assess
      expect(settings.allowedModes).toEqual(allowedModesOf[to]);
      expect(settings).toMatchObject({
        plan: to,
        draft: { mode: after.mode, rememberDeviceDays: after.rememberDeviceDays },
        published: after,
      });
      const changed = await auditEntries(world, seeded.app.id, 'plan.changed');
      expect(changed.map((event) => [event.actorId, event.detail])).toEqual([['platform:billing', { from, to }]]);
    },
  );

  it('answers not_found for an unknown app', async () => {
    // Act
    const result = await outcomeOf(setPlan(world.deps, { appId: 'app_nobody', plan: 'free', actor: 'platform:billing' }));

    // Assess
    expect(result).toBe('not_found');
  });

  it('never leaves a forbidden mode live when a downgrade lands while a publish of it is under way', async () => {
    // Prepare: the publish of `required` checked the enterprise plan, then waits before its write.
    const seeded = await seedApp(world);
    await edit(seeded, 'required', 0);
    const write = world.deps.apps.publishConfig.bind(world.deps.apps);
    const gate = new Gate();
    jest.spyOn(world.deps.apps, 'publishConfig').mockImplementationOnce(async (...args) => {
      await gate.pass();
      return write(...args);
    });
    const publishing = publish(seeded);
    await gate.reachedBy(publishing);

    // Act
    await setPlan(world.deps, { appId: seeded.app.id, plan: 'business', actor: 'platform:billing' });
    gate.open();
    const published = await publishing;

    // Assess
    expect(published).toMatchObject({ version: 1, config: { twoFactor: { mode: 'optional' } } });
    await expect(readSettings(world.deps, seeded.app.id)).resolves.toMatchObject({
      plan: 'business',
      published: { version: 1, mode: 'optional' },
    });
  });

  it('refuses an edit to a mode the plan no longer allows when a downgrade lands while the edit is under way', async () => {
    // Prepare
    const seeded = await seedApp(world);
    const write = world.deps.apps.putDraftSettings.bind(world.deps.apps);
    const gate = new Gate();
    jest.spyOn(world.deps.apps, 'putDraftSettings').mockImplementationOnce(async (...args) => {
      await gate.pass();
      return write(...args);
    });
    const editing = outcomeOf(edit(seeded, 'required', 0));
    await gate.reachedBy(editing);

    // Act
    await setPlan(world.deps, { appId: seeded.app.id, plan: 'business', actor: 'platform:billing' });
    gate.open();

    // Assess
    await expect(editing).resolves.toBe('plan_upgrade_required');
    await expect(readSettings(world.deps, seeded.app.id)).resolves.toMatchObject({ draft: { mode: 'off' } });
  });
});

describe('allowed origins', () => {
  it('replaces the app’s origins, each once, audited', async () => {
    // Prepare
    const seeded = await seedApp(world);

    // Act
    const answer = await setAllowedOrigins(world.deps, {
      appId: seeded.app.id,
      allowedOrigins: ['https://a.example', 'https://b.example', 'https://a.example'],
      actor: 'platform:ops',
    });

    // Assess
    expect(answer).toEqual({ appId: seeded.app.id, allowedOrigins: ['https://a.example', 'https://b.example'] });
    await expect(allowedOriginsOf(world.deps, seeded.app.id)).resolves.toEqual(['https://a.example', 'https://b.example']);
    const [changed] = await auditEntries(world, seeded.app.id, 'allowed_origins.changed');
    expect(changed).toMatchObject({ actorId: 'platform:ops', detail: { allowedOrigins: 'https://a.example https://b.example' } });
  });

  it('knows no origins of an unknown app, and refuses to set them', async () => {
    // Act
    const set = await outcomeOf(setAllowedOrigins(world.deps, { appId: 'app_nobody', allowedOrigins: [], actor: 'platform:ops' }));

    // Assess
    expect(set).toBe('not_found');
    await expect(allowedOriginsOf(world.deps, 'app_nobody')).resolves.toEqual([]);
  });
});

describe('publishSecurityEvents', () => {
  /** A publisher that keeps what it was given and refuses the events at `refused`. */
  function publisher(refused: number[] = []): EventPublisher & { published: SecurityEvent[] } {
    const published: SecurityEvent[] = [];
    return {
      published,
      publish: (events) => {
        published.push(...events);
        return Promise.resolve(refused);
      },
    };
  }

  const audit = (appId: string, type: AuditEvent['type'], targetUserId: string | null, detail?: AuditEvent['detail']): AuditEvent => ({
    id: `evt-${type}`,
    appId,
    at: new Date(world.now).toISOString(),
    type,
    actorId: 'anonymous',
    targetUserId,
    ...(detail ? { detail } : {}),
  });

  it('publishes each audit entry in order with its target user’s email, when the user exists', async () => {
    // Prepare
    const seeded = await seedApp(world);
    const member = await seedUser(world, seeded.app);
    const events = publisher();
    const audits = [
      audit(seeded.app.id, 'two_factor.reset', member.user.id, { reason: 'lost phone' }),
      audit(seeded.app.id, 'password.locked_out', null),
      audit(seeded.app.id, 'sessions.revoked', 'usr_gone'),
    ];

    // Act
    const firstFailed = await publishSecurityEvents({ users: world.deps.users, events }, audits);

    // Assess
    expect(firstFailed).toBeNull();
    expect(events.published.map((event) => [event.eventId, event.type, event.targetEmail, event.detail])).toEqual([
      ['evt-two_factor.reset', 'two_factor.reset', member.email, { reason: 'lost phone' }],
      ['evt-password.locked_out', 'password.locked_out', null, {}],
      ['evt-sessions.revoked', 'sessions.revoked', null, {}],
    ]);
  });

  it('answers the first entry the publisher refused, so it and every later one are retried', async () => {
    // Prepare
    const seeded = await seedApp(world);
    const audits = (['user.unlocked', 'device.forgotten', 'sessions.revoked'] as const).map((type) => audit(seeded.app.id, type, null));

    // Act
    const firstFailed = await publishSecurityEvents({ users: world.deps.users, events: publisher([2, 1]) }, audits);

    // Assess
    expect(firstFailed).toBe(1);
  });
});
