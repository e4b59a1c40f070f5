import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EnvelopeSecretBox } from '../../functions/adapters/kms/envelope-secret-box.js';
import { KmsClient } from '../../functions/adapters/kms/kms-client.js';
import { MemorySecretBox } from '../../functions/adapters/memory/secret-box.js';
import { SecretUnreadableError } from '../../functions/core/errors.js';
import type { App, PublishedConfig } from '../../functions/core/model.js';
import type { Repositories, SecretBox } from '../../functions/core/ports.js';
import { startKmsStandIn } from '../../local/kms-stand-in.js';
import { newId } from '../../functions/core/tokens.js';
import {
  aDevice,
  aDraft,
  anApp,
  anAppCreation,
  anAudit,
  aUser,
  aChallenge,
  aSession,
  email,
  enrolled,
  signedUp,
} from '../support/store-contract/fixtures.js';
import { closeStores, expectBadCursor, expectConflict, expectOneWinner, rejectionOf, stores } from '../support/store-contract/stores.js';

/**
 * The store contract, part 1: apps, the audit trail, user profiles and listings, password failure counts,
 * lockouts and unlocks. The same cases run against the in-memory store and the DynamoDB one (on DynamoDB
 * Local), so a domain test that uses the memory store proves what the service does. Parts 2 and 3:
 * store-contract-factors and store-contract-sessions.
 */

afterAll(closeStores);

const published = (version: number, mode: PublishedConfig['mode'] = 'optional'): PublishedConfig => ({
  version,
  mode,
  rememberDeviceDays: 0,
  requiredGraceDays: 0,
  requiredForRoles: [],
  requiredSince: mode === 'required' ? { admin: '2030-01-01T00:00:00.000Z', member: '2030-01-01T00:00:00.000Z' } : {},
  publishedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, version)).toISOString(),
});

describe.each(stores)('the $name store', ({ repositories }) => {
  let repos: Repositories;
  beforeAll(() => {
    repos = repositories();
  });

  async function createdApp(
    plan: 'free' | 'pro' | 'business' | 'enterprise' = 'enterprise',
    publishedConfig: PublishedConfig | null = null,
  ) {
    const creation = { ...anAppCreation(plan), publishedConfig };
    await repos.apps.createApp(creation);
    return creation;
  }

  describe('apps', () => {
    it('creates an app with its draft, data key, admin and audit entry, all readable back', async () => {
      const { app, draft, wrappedDataKey, admin, audit } = await createdApp('pro');

      expect(await repos.apps.getAppRuntime(app.id)).toEqual({ ...app, publishedConfig: null });
      expect(await repos.apps.getDraftSettings(app.id)).toEqual(draft);
      expect(await repos.apps.getWrappedDataKey(app.id, app.dataKeyId)).toBe(wrappedDataKey);
      expect(await repos.users.findUserByEmail(app.id, admin.email)).toEqual(admin);
      expect((await repos.audit.listAuditEvents(app.id, 10, null)).items).toEqual([audit]);
    });

    it('creates an app already published, whose version 1 is then taken', async () => {
      const { app } = await createdApp('enterprise', published(1, 'required'));

      expect((await repos.apps.getAppRuntime(app.id))?.publishedConfig).toEqual(published(1, 'required'));
      await expectConflict(repos.apps.publishConfig(app.id, 'enterprise', published(1), anAudit(app.id)), 'version_conflict');
    });

    it('knows no app, draft or data key it was never given', async () => {
      const { app } = await createdApp();

      expect(await repos.apps.getAppRuntime(newId('app'))).toBeNull();
      expect(await repos.apps.getDraftSettings(newId('app'))).toBeNull();
      expect(await repos.apps.getWrappedDataKey(app.id, newId('dk'))).toBeNull();
      expect(await repos.apps.getWrappedDataKey(newId('app'), app.dataKeyId)).toBeNull();
    });

    it('refuses an app id already taken (app_exists) and writes none of the second app', async () => {
      const first = await createdApp();
      const second = { ...anAppCreation(), app: { ...first.app, name: 'Impostor', dataKeyId: newId('dk') } };

      await expectConflict(repos.apps.createApp(second), 'app_exists');
      expect((await repos.apps.getAppRuntime(first.app.id))?.name).toBe(first.app.name);
      expect(await repos.users.findUserByEmail(first.app.id, second.admin.email)).toBeNull();
    });

    it('refuses an admin whose email the app already has (email_taken) and writes no app', async () => {
      const creation = anAppCreation();
      await repos.users.createUser(aUser(creation.app.id, { email: creation.admin.email }), { challenge: aChallenge(aUser()) });

      await expectConflict(repos.apps.createApp(creation), 'email_taken');
      expect(await repos.apps.getAppRuntime(creation.app.id)).toBeNull();
      expect(await repos.apps.getDraftSettings(creation.app.id)).toBeNull();
    });

    it('refuses an admin whose user id is taken (user_exists)', async () => {
      const { user } = await signedUp(repos);
      const creation = anAppCreation();

      await expectConflict(repos.apps.createApp({ ...creation, admin: { ...creation.admin, id: user.id } }), 'user_exists');
      expect(await repos.apps.getAppRuntime(creation.app.id)).toBeNull();
      expect(await repos.users.findUserByEmail(creation.app.id, creation.admin.email)).toBeNull();
    });

    it('replaces the draft while the plan is the one the edit checked, with its audit entry', async () => {
      const { app } = await createdApp('business');
      const draft = aDraft({ mode: 'required', rememberDeviceDays: 7 });
      const audit = anAudit(app.id, 'settings.updated', { at: '2031-01-01T00:00:00.000Z' });

      await repos.apps.putDraftSettings(app.id, 'business', draft, audit);

      expect(await repos.apps.getDraftSettings(app.id)).toEqual(draft);
      expect((await repos.audit.listAuditEvents(app.id, 1, null)).items).toEqual([audit]);
    });

    it('refuses a draft checked against another plan, or for no app (plan_changed)', async () => {
      const { app, draft } = await createdApp('business');

      await expectConflict(repos.apps.putDraftSettings(app.id, 'pro', aDraft({ mode: 'required' }), anAudit(app.id)), 'plan_changed');
      await expectConflict(repos.apps.putDraftSettings(newId('app'), 'pro', aDraft(), anAudit(app.id)), 'plan_changed');
      expect(await repos.apps.getDraftSettings(app.id)).toEqual(draft);
    });

    it('publishes version 1, then version 2', async () => {
      const { app } = await createdApp();

      await repos.apps.publishConfig(app.id, 'enterprise', published(1), anAudit(app.id, 'config.published'));
      await repos.apps.publishConfig(app.id, 'enterprise', published(2, 'required'), anAudit(app.id, 'config.published'));

      expect((await repos.apps.getAppRuntime(app.id))?.publishedConfig).toEqual(published(2, 'required'));
    });

    it('refuses a version taken, a version skipped, a plan changed and an app missing (version_conflict)', async () => {
      const { app } = await createdApp();
      await repos.apps.publishConfig(app.id, 'enterprise', published(1), anAudit(app.id));

      await expectConflict(repos.apps.publishConfig(app.id, 'enterprise', published(1, 'required'), anAudit(app.id)), 'version_conflict');
      await expectConflict(repos.apps.publishConfig(app.id, 'enterprise', published(3), anAudit(app.id)), 'version_conflict');
      await expectConflict(repos.apps.publishConfig(app.id, 'pro', published(2), anAudit(app.id)), 'version_conflict');
      await expectConflict(repos.apps.publishConfig(newId('app'), 'enterprise', published(1), anAudit(app.id)), 'version_conflict');
      expect((await repos.apps.getAppRuntime(app.id))?.publishedConfig).toEqual(published(1));
    });

    it('lets exactly one of two parallel publishes of one version win', async () => {
      const { app } = await createdApp();
      const configs = [published(1, 'optional'), published(1, 'required')];

      const winner = await expectOneWinner(
        configs.map((config) => repos.apps.publishConfig(app.id, 'enterprise', config, anAudit(app.id))),
        ['version_conflict'],
      );

      expect((await repos.apps.getAppRuntime(app.id))?.publishedConfig).toEqual(configs[winner]);
    });

    it('changes the plan alone, leaving the draft and the published config', async () => {
      const { app, draft } = await createdApp('enterprise', published(1));

      await repos.apps.changePlan({
        appId: app.id,
        plan: 'business',
        seen: {
          publishedVersion: 1,
          draft: { mode: draft.mode, rememberDeviceDays: draft.rememberDeviceDays, requiredGraceDays: 0, requiredForRoles: [] },
        },
        draft: null,
        publish: null,
        audit: anAudit(app.id, 'plan.changed'),
      });

      expect(await repos.apps.getAppRuntime(app.id)).toEqual({ ...app, plan: 'business', publishedConfig: published(1) });
      expect(await repos.apps.getDraftSettings(app.id)).toEqual(draft);
    });

    it('lowers the draft and publishes the lowered config with a plan change', async () => {
      const { app } = await createdApp('enterprise');
      const remembering = aDraft({ mode: 'required', rememberDeviceDays: 30 });
      await repos.apps.putDraftSettings(app.id, 'enterprise', remembering, anAudit(app.id));
      await repos.apps.publishConfig(app.id, 'enterprise', published(1, 'required'), anAudit(app.id));
      const lowered = aDraft({ mode: 'off', rememberDeviceDays: 0 });

      await repos.apps.changePlan({
        appId: app.id,
        plan: 'free',
        seen: { publishedVersion: 1, draft: { mode: 'required', rememberDeviceDays: 30, requiredGraceDays: 0, requiredForRoles: [] } },
        draft: lowered,
        publish: published(2, 'off'),
        audit: anAudit(app.id, 'plan.changed'),
      });

      expect(await repos.apps.getAppRuntime(app.id)).toEqual({ ...app, plan: 'free', publishedConfig: published(2, 'off') });
      expect(await repos.apps.getDraftSettings(app.id)).toEqual(lowered);
      await expectConflict(repos.apps.publishConfig(app.id, 'free', published(2), anAudit(app.id)), 'version_conflict');
    });

    it('refuses a plan change that read an older published version, draft mode or days, or no app (plan_race)', async () => {
      const { app, draft } = await createdApp('enterprise');
      await repos.apps.publishConfig(app.id, 'enterprise', published(1), anAudit(app.id));
      const change = (seen: { publishedVersion: number | null; mode: 'off' | 'optional' | 'required'; days: number }, appId = app.id) =>
        repos.apps.changePlan({
          appId,
          plan: 'pro',
          seen: {
            publishedVersion: seen.publishedVersion,
            draft: { mode: seen.mode, rememberDeviceDays: seen.days, requiredGraceDays: 0, requiredForRoles: [] },
          },
          draft: aDraft({ mode: 'optional' }),
          publish: null,
          audit: anAudit(app.id, 'plan.changed'),
        });

      await expectConflict(change({ publishedVersion: null, mode: draft.mode, days: 0 }), 'plan_race');
      await expectConflict(change({ publishedVersion: 2, mode: draft.mode, days: 0 }), 'plan_race');
      await expectConflict(change({ publishedVersion: 1, mode: 'required', days: 0 }), 'plan_race');
      await expectConflict(change({ publishedVersion: 1, mode: draft.mode, days: 7 }), 'plan_race');
      await expectConflict(change({ publishedVersion: null, mode: draft.mode, days: 0 }, newId('app')), 'plan_race');
      expect((await repos.apps.getAppRuntime(app.id))?.plan).toBe('enterprise');
      expect(await repos.apps.getDraftSettings(app.id)).toEqual(draft);
    });

    it('replaces the allowed origins of an app, and refuses an app that does not exist (app_gone)', async () => {
      const { app } = await createdApp();

      await repos.apps.setAllowedOrigins(app.id, ['https://a.example', 'https://b.example'], anAudit(app.id, 'allowed_origins.changed'));
      await expectConflict(repos.apps.setAllowedOrigins(newId('app'), [], anAudit(app.id)), 'app_gone');

      expect((await repos.apps.getAppRuntime(app.id))?.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    });
  });

  describe('the audit trail', () => {
    it("lists an app's events newest first, page by page, and no other app's", async () => {
      const appId = newId('app');
      const at = (second: number) => new Date(Date.UTC(2031, 0, 1, 0, 0, second)).toISOString();
      const events = [1, 3, 2].map((second) =>
        anAudit(appId, 'two_factor.locked_out', { at: at(second), targetUserId: newId('usr'), detail: { second, weak: second > 1 } }),
      );
      for (const event of [...events, anAudit(newId('app'))]) await repos.users.recordLockout(event, false);

      const first = await repos.audit.listAuditEvents(appId, 2, null);
      const second = await repos.audit.listAuditEvents(appId, 2, first.nextCursor);

      expect(first.items).toEqual([events[1], events[2]]);
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(second).toEqual({ items: [events[0]], nextCursor: null });
    });

    it('pages through a long trail of every kind of entry newest first, with no gap or repeat', async () => {
      const appId = newId('app');
      const types = ['two_factor.enrolled', 'password.locked_out', 'config.published', 'two_factor.locked_out', 'user.unlocked'] as const;
      // Five entries at each of eight instants: the id orders entries of one instant.
      const events = Array.from({ length: 40 }, (_, index) =>
        anAudit(appId, types[index % types.length], { at: new Date(Date.UTC(2031, 0, 2, 0, 0, index % 8)).toISOString() }),
      );
      for (const event of events) await repos.users.recordLockout(event, false);
      const newestFirst = [...events].sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? 1 : -1));

      const listed = [];
      let cursor: string | null = null;
      for (let page = 0; page === 0 || cursor !== null; page++) {
        const answer: Awaited<ReturnType<typeof repos.audit.listAuditEvents>> = await repos.audit.listAuditEvents(appId, 7, cursor);
        expect(answer.items.length).toBe(page < 5 ? 7 : 5);
        listed.push(...answer.items);
        cursor = answer.nextCursor;
      }

      expect(listed).toEqual(newestFirst);
    });

    it('gives a full page a cursor, even when nothing follows it', async () => {
      const appId = newId('app');
      await repos.users.recordLockout(anAudit(appId), false);

      const full = await repos.audit.listAuditEvents(appId, 1, null);

      expect(full.items).toHaveLength(1);
      expect(await repos.audit.listAuditEvents(appId, 1, full.nextCursor)).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a cursor it did not make (ValidationError on cursor)', async () => {
      const appId = newId('app');
      await repos.users.createUser(aUser(appId), { challenge: aChallenge(aUser(appId)) });
      const usersCursor = (await repos.users.listUsers(appId, 1, null)).nextCursor;

      await expectBadCursor(repos.audit.listAuditEvents(appId, 5, 'bm90IGEgY3Vyc29y'));
      await expectBadCursor(repos.audit.listAuditEvents(appId, 5, usersCursor));
    });
  });

  describe('user profiles', () => {
    it('creates a user with a first session on a new device', async () => {
      const { user, session, device } = await signedUp(repos);

      expect(await repos.users.getUser(user.id)).toEqual(user);
      expect(await repos.users.findUserByEmail(user.appId, user.email)).toEqual(user);
      expect(await repos.sessions.getSession(session.tokenHash)).toEqual(session);
      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual(device);
    });

    it('creates a user with a challenge instead, keeping every field it was given', async () => {
      const user = aUser(newId('app'), { twoFactorEnabledAt: '2030-01-01T00:00:00.000Z' });
      const challenge = aChallenge(user, { purpose: 'enrollment' });

      await repos.users.createUser(user, { challenge });

      expect(await repos.users.getUser(user.id)).toEqual(user);
      expect(await repos.sessions.getChallenge(challenge.tokenHash)).toEqual(challenge);
    });

    it('keeps its own copy: changing what was written or read changes nothing stored', async () => {
      const { user, session } = await signedUp(repos);
      const written = structuredClone(user);
      user.email = 'changed@example.test';
      session.generation = 99;

      const read = await repos.users.getUser(user.id);
      read!.generation = 42;

      expect(await repos.users.getUser(user.id)).toEqual(written);
      expect((await repos.sessions.getSession(session.tokenHash))?.generation).toBe(0);
    });

    it('refuses an email the app already has (email_taken) and writes nothing of the loser', async () => {
      const { user } = await signedUp(repos);
      const loser = aUser(user.appId, { email: user.email });
      const session = aSession(loser);

      await expectConflict(repos.users.createUser(loser, { session, device: aDevice(loser) }), 'email_taken');
      expect(await repos.users.getUser(loser.id)).toBeNull();
      expect(await repos.sessions.getSession(session.tokenHash)).toBeNull();
      await repos.users.createUser(aUser(newId('app'), { email: user.email }), { challenge: aChallenge(user) });
    });

    it('refuses a user id already taken (user_exists) and claims no email for it', async () => {
      const { user } = await signedUp(repos);
      const again = aUser(user.appId, { id: user.id });

      await expectConflict(repos.users.createUser(again, { challenge: aChallenge(again) }), 'user_exists');
      expect(await repos.users.findUserByEmail(user.appId, again.email)).toBeNull();
      expect(await repos.users.getUser(user.id)).toEqual(user);
    });

    it('finds no user by an unknown email or id', async () => {
      const { user } = await signedUp(repos);

      expect(await repos.users.findUserByEmail(user.appId, email())).toBeNull();
      expect(await repos.users.findUserByEmail(newId('app'), user.email)).toBeNull();
      expect(await repos.users.getUser(newId('usr'))).toBeNull();
    });

    it("lists an app's users by creation time, then id, page by page, with their 2FA state", async () => {
      const appId = newId('app');
      const [early, late] = ['2031-01-01T00:00:00.000Z', '2031-01-02T00:00:00.000Z'];
      const users = [aUser(appId, { createdAt: late }), aUser(appId, { createdAt: early }), aUser(appId, { createdAt: late })];
      for (const user of users) await repos.users.createUser(user, { challenge: aChallenge(user) });
      const elsewhere = await enrolled(repos);
      const [tiedFirst, tiedSecond] = [users[0]!, users[2]!].sort((a, b) => (a.id < b.id ? -1 : 1));
      const summary = (user: (typeof users)[number]) => ({
        id: user.id,
        email: user.email,
        role: user.role,
        createdAt: user.createdAt,
        twoFactorSetupComplete: false,
      });

      const first = await repos.users.listUsers(appId, 2, null);
      const second = await repos.users.listUsers(appId, 2, first.nextCursor);

      expect(first.items).toEqual([summary(users[1]!), summary(tiedFirst!)]);
      expect(second).toEqual({ items: [summary(tiedSecond!)], nextCursor: null });
      expect((await repos.users.listUsers(elsewhere.user.appId, 5, null)).items).toEqual([
        { ...summary(elsewhere.user), twoFactorSetupComplete: true },
      ]);
    });

    it('pages through many users by creation time, then id, with no gap or repeat', async () => {
      const appId = newId('app');
      const users = Array.from({ length: 30 }, (_, index) =>
        aUser(appId, { createdAt: new Date(Date.UTC(2031, 0, 3, 0, 0, index % 4)).toISOString() }),
      );
      for (const user of users) await repos.users.createUser(user, { challenge: aChallenge(user) });
      const byCreation = [...users].sort((a, b) => (`${a.createdAt}#${a.id}` < `${b.createdAt}#${b.id}` ? -1 : 1));

      const listed = [];
      let cursor: string | null = null;
      for (let page = 0; page === 0 || cursor !== null; page++) {
        const answer: Awaited<ReturnType<typeof repos.users.listUsers>> = await repos.users.listUsers(appId, 4, cursor);
        expect(answer.items.length).toBe(page < 7 ? 4 : 2);
        listed.push(...answer.items);
        cursor = answer.nextCursor;
      }

      expect(listed.map((user) => user.id)).toEqual(byCreation.map((user) => user.id));
    });

    it('refuses a users cursor it did not make (ValidationError on cursor)', async () => {
      const appId = newId('app');
      await repos.users.recordLockout(anAudit(appId), false);
      const auditCursor = (await repos.audit.listAuditEvents(appId, 1, null)).nextCursor;

      await expectBadCursor(repos.users.listUsers(appId, 5, 'garbage'));
      await expectBadCursor(repos.users.listUsers(appId, 5, auditCursor));
    });
  });

  describe('password failures', () => {
    it('counts by app and email from nothing, moving only from the count the caller saw', async () => {
      const [appId, address] = [newId('app'), email()];
      const expiresAt = Math.floor(Date.now() / 1000) + 60;

      expect(await repos.users.getPasswordFailures(appId, address)).toBeNull();
      expect(
        await repos.users.movePasswordFailures(
          appId,
          address,
          { failedAttempts: 1, lockedUntil: null },
          { failedAttempts: 2, lockedUntil: null },
          expiresAt,
        ),
      ).toBe(false);
      expect(
        await repos.users.movePasswordFailures(
          appId,
          address,
          { failedAttempts: 0, lockedUntil: null },
          { failedAttempts: 1, lockedUntil: null },
          expiresAt,
        ),
      ).toBe(true);
      expect(
        await repos.users.movePasswordFailures(
          appId,
          address,
          { failedAttempts: 0, lockedUntil: null },
          { failedAttempts: 1, lockedUntil: null },
          expiresAt,
        ),
      ).toBe(false);
      expect(
        await repos.users.movePasswordFailures(
          appId,
          address,
          { failedAttempts: 1, lockedUntil: null },
          { failedAttempts: 10, lockedUntil: 123_000 },
          expiresAt,
        ),
      ).toBe(true);
      expect(
        await repos.users.movePasswordFailures(
          appId,
          address,
          { failedAttempts: 10, lockedUntil: null },
          { failedAttempts: 11, lockedUntil: null },
          expiresAt,
        ),
      ).toBe(false);

      expect(await repos.users.getPasswordFailures(appId, address)).toEqual({ failedAttempts: 10, lockedUntil: 123_000 });
      expect(await repos.users.getPasswordFailures(newId('app'), address)).toBeNull();
    });
  });

  describe('lockouts and unlocks', () => {
    it('records a second-factor lockout that ends remembering, and a password lockout that does not', async () => {
      const { user } = await signedUp(repos);
      const [secondFactor, password] = [anAudit(user.appId, 'two_factor.locked_out'), anAudit(user.appId, 'password.locked_out')];

      await repos.users.recordLockout({ ...secondFactor, targetUserId: user.id }, true);
      await repos.users.recordLockout({ ...password, targetUserId: user.id }, false);

      expect((await repos.users.getUser(user.id))?.rememberGeneration).toBe(user.rememberGeneration + 1);
      expect((await repos.audit.listAuditEvents(user.appId, 5, null)).items.map((event) => event.id).sort()).toEqual(
        [secondFactor.id, password.id].sort(),
      );
    });

    it('refuses a lockout recorded twice (audit_exists), or of a user gone (user_gone) without its entry', async () => {
      const { user } = await signedUp(repos);
      const audit = anAudit(user.appId, 'two_factor.locked_out', { targetUserId: user.id });
      await repos.users.recordLockout(audit, true);
      const gone = anAudit(user.appId, 'two_factor.locked_out', { targetUserId: newId('usr') });

      await expectConflict(repos.users.recordLockout(audit, true), 'audit_exists');
      await expectConflict(repos.users.recordLockout(gone, true), 'user_gone');
      await expectConflict(repos.users.recordLockout(audit, false), 'audit_exists');
      expect((await repos.audit.listAuditEvents(user.appId, 5, null)).items).toEqual([audit]);
      expect((await repos.users.getUser(user.id))?.rememberGeneration).toBe(user.rememberGeneration + 1);
    });

    it("ends the email's, the devices' and the factor's lockouts", async () => {
      const { user, device, factor } = await enrolled(repos);
      const locked = { failedAttempts: 10, lockedUntil: 4_000_000_000_000 };
      const none = { failedAttempts: 0, lockedUntil: null };
      await repos.users.movePasswordFailures(user.appId, user.email, none, locked, 2_000_000_000);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'passwordFailures', none, locked);
      await repos.sessions.moveDeviceFailures(user.id, device.id, 'secondFactorFailures', none, locked);
      await repos.users.reserveSecondFactorAttempt(user.id, none, locked);

      await repos.users.unlockUser(user, [device], anAudit(user.appId, 'user.unlocked'));

      expect(await repos.users.getPasswordFailures(user.appId, user.email)).toBeNull();
      expect(await repos.sessions.getDevice(user.id, device.id)).toEqual({ ...device, passwordFailures: none, secondFactorFailures: none });
      expect(await repos.users.getTotpFactor(user.id)).toEqual({ ...factor, ...none });
    });

    it('refuses to unlock a user gone (user_gone), or a device forgotten meanwhile (device_changed)', async () => {
      const { user, device } = await signedUp(repos);
      await repos.sessions.forgetDevice(user, device.id, anAudit(user.appId, 'device.forgotten'));

      await expectConflict(repos.users.unlockUser(aUser(user.appId), [], anAudit(user.appId)), 'user_gone');
      await expectConflict(repos.users.unlockUser(user, [device], anAudit(user.appId)), 'device_changed');
      await repos.users.unlockUser(user, [], anAudit(user.appId));
    });
  });
});

/**
 * A secret box under test, and where the wrapped data keys it creates are kept (the table, beside the app, in
 * the service: `keep` stands for createApp's write).
 */
interface SecretBoxUnderTest {
  box: SecretBox;
  keep(appId: string, created: { keyId: string; wrappedKey: string }): void;
  close(): Promise<void>;
}

/** The secret box the memory store goes with, and the KMS envelope box (against a local KMS stand-in). */
const secretBoxes: { name: string; open: () => Promise<SecretBoxUnderTest> }[] = [
  {
    name: 'memory',
    open: () => Promise.resolve({ box: new MemorySecretBox(), keep: () => undefined, close: () => Promise.resolve() }),
  },
  {
    name: 'KMS envelope',
    open: async () => {
      const standIn = await startKmsStandIn();
      const kms = new KmsClient({
        endpoint: standIn.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const wrapped = new Map<string, string>();
      const wrappedKeys = {
        getWrappedDataKey: (appId: string, keyId: string) => Promise.resolve(wrapped.get(`${appId}/${keyId}`) ?? null),
      };
      return {
        box: new EnvelopeSecretBox(kms, await standIn.createKey('store contract'), wrappedKeys, Date.now),
        keep: (appId, created) => wrapped.set(`${appId}/${created.keyId}`, created.wrappedKey),
        close: async () => {
          kms.destroy();
          await standIn.close();
        },
      };
    },
  },
];

describe.each(secretBoxes)('the $name secret box', ({ open }) => {
  let underTest: SecretBoxUnderTest;
  let box: SecretBox;
  beforeAll(async () => {
    underTest = await open();
    box = underTest.box;
  });
  afterAll(() => underTest.close());

  async function appWithKey(): Promise<App> {
    const app = anApp();
    const created = await box.createDataKey(app.id);
    underTest.keep(app.id, created);
    return { ...app, dataKeyId: created.keyId };
  }
  const secret = Buffer.from('12345678901234567890');

  it('opens what it sealed for the same app and user, and never shows the secret sealed', async () => {
    const app = await appWithKey();

    const sealed = await box.seal(app, 'usr_ada', secret);

    expect(sealed).toEqual({ v: 1, keyId: app.dataKeyId, iv: expect.any(String), ciphertext: expect.any(String) });
    expect(Buffer.from(sealed.ciphertext, 'base64').includes(secret)).toBe(false);
    expect(await box.open(app.id, 'usr_ada', sealed)).toEqual(secret);
  });

  it('refuses a secret copied to another user or app, or altered (SecretUnreadableError)', async () => {
    const [app, other] = [await appWithKey(), await appWithKey()];
    const sealed = await box.seal(app, 'usr_ada', secret);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0]! ^= 1;

    expect(await rejectionOf(box.open(app.id, 'usr_bob', sealed))).toBeInstanceOf(SecretUnreadableError);
    expect(await rejectionOf(box.open(other.id, 'usr_ada', sealed))).toBeInstanceOf(SecretUnreadableError);
    expect(await rejectionOf(box.open(other.id, 'usr_ada', { ...sealed, keyId: other.dataKeyId }))).toBeInstanceOf(SecretUnreadableError);
    expect(await rejectionOf(box.open(app.id, 'usr_ada', { ...sealed, ciphertext: flipped.toString('base64') }))).toBeInstanceOf(
      SecretUnreadableError,
    );
  });

  it('seals nothing under a data key the app does not have', async () => {
    const app = anApp();

    const error = await rejectionOf(box.seal(app, 'usr_ada', secret));

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SecretUnreadableError);
  });
});
