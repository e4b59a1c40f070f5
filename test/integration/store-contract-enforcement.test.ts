import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { utcDay } from '../../functions/core/enforcement.js';
import type { PublishedConfig } from '../../functions/core/model.js';
import type { Repositories } from '../../functions/core/ports.js';
import { newId } from '../../functions/core/tokens.js';
import { aUser, anAppCreation, anAudit, aChallenge, enrolled, signedUp } from '../support/store-contract/fixtures.js';
import { closeStores, expectConflict, stores } from '../support/store-contract/stores.js';

/**
 * The store contract, part 4: what enforcement adds (README, API extensions; docs/enforcement.md). The
 * enrollment counters move in the transactions that create users and turn 2FA on or off (a reset only by
 * what it changes), the users listing filters by 2FA, several profiles read at once, deadline reminders are
 * recorded once, and the apps with deadlines are listed by their publishes. Same cases on both stores.
 */

afterAll(closeStores);

const config = (version: number, overrides: Partial<PublishedConfig> = {}): PublishedConfig => ({
  version,
  mode: 'required',
  rememberDeviceDays: 0,
  requiredGraceDays: 7,
  requiredForRoles: [],
  requiredSince: { admin: '2030-01-01T00:00:00.000Z', member: '2030-01-01T00:00:00.000Z' },
  publishedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, version)).toISOString(),
  ...overrides,
});

describe.each(stores)('the $name store', ({ repositories }) => {
  let repos: Repositories;
  beforeAll(() => {
    repos = repositories();
  });

  const today = utcDay(Date.now());
  const countsOf = async (appId: string) => repos.users.getEnrollmentCounts(appId, today);

  describe('enrollment counters', () => {
    it('count the admin an app is created with, and each user signed up, per role and sign-up day', async () => {
      const creation = anAppCreation();
      await repos.apps.createApp(creation);
      await signedUp(repos, creation.app.id);
      await signedUp(repos, creation.app.id);

      const counts = await countsOf(creation.app.id);

      expect(counts.admin).toEqual({ users: 1, enrolled: 0, byDay: [{ day: today, users: 1, enrolled: 0 }] });
      expect(counts.member).toEqual({ users: 2, enrolled: 0, byDay: [{ day: today, users: 2, enrolled: 0 }] });
    });

    it('count an enrollment, then its disable, on the day the user signed up', async () => {
      const appId = newId('app');
      const { user, session } = await enrolled(repos, appId);
      await signedUp(repos, appId);
      expect((await countsOf(appId)).member).toEqual({ users: 2, enrolled: 1, byDay: [{ day: today, users: 2, enrolled: 1 }] });

      await repos.users.disableTwoFactor({ user, step: 1001, audit: anAudit(appId, 'two_factor.disabled'), current: { session } });

      expect((await countsOf(appId)).member).toEqual({ users: 2, enrolled: 0, byDay: [{ day: today, users: 2, enrolled: 0 }] });
    });

    it('lists only the sign-up days asked for', async () => {
      const appId = newId('app');
      const old = aUser(appId, { createdAt: '2030-01-01T10:00:00.000Z' });
      const recent = aUser(appId, { createdAt: '2030-01-05T10:00:00.000Z' });
      for (const user of [old, recent]) await repos.users.createUser(user, { challenge: aChallenge(user) });

      const counts = await repos.users.getEnrollmentCounts(appId, '2030-01-02');

      expect(counts.member).toEqual({ users: 2, enrolled: 0, byDay: [{ day: '2030-01-05', users: 1, enrolled: 0 }] });
      expect(counts.admin).toEqual({ users: 0, enrolled: 0, byDay: [] });
    });

    it('move by what a reset changes: one enrolled fewer for an enrolled user, nothing for one without 2FA', async () => {
      const appId = newId('app');
      const { user } = await enrolled(repos, appId);
      const plain = await signedUp(repos, appId);

      await repos.users.resetTwoFactor({ user, devices: [], audit: anAudit(appId, 'two_factor.reset') });
      await repos.users.resetTwoFactor({ user: plain.user, devices: [], audit: anAudit(appId, 'two_factor.reset') });

      expect((await countsOf(appId)).member).toMatchObject({ users: 2, enrolled: 0 });
    });

    it('refuse a reset that read the 2FA state before an enrollment changed it (user_changed), moving nothing', async () => {
      const appId = newId('app');
      const { user: asRead } = await signedUp(repos, appId);
      const enrolledMeanwhile = await enrolled(repos, appId);

      await expectConflict(
        repos.users.resetTwoFactor({ user: { ...enrolledMeanwhile.user, twoFactorEnabled: false }, devices: [], audit: anAudit(appId) }),
        'user_changed',
      );
      await expectConflict(
        repos.users.resetTwoFactor({ user: { ...asRead, twoFactorEnabled: true }, devices: [], audit: anAudit(appId) }),
        'user_changed',
      );
      await expectConflict(repos.users.resetTwoFactor({ user: aUser(appId), devices: [], audit: anAudit(appId) }), 'user_gone');
      expect((await countsOf(appId)).member).toMatchObject({ users: 2, enrolled: 1 });
    });
  });

  describe('users listing and profiles', () => {
    it('filters the listing by 2FA, and paging by the cursor (pages of one) finds each match once', async () => {
      const appId = newId('app');
      const first = await signedUp(repos, appId);
      const second = await enrolled(repos, appId);
      const third = await signedUp(repos, appId);

      const withTwoFactor = await repos.users.listUsers(appId, 10, null, { twoFactorEnabled: true });
      const without = await repos.users.listUsers(appId, 10, null, { twoFactorEnabled: false });
      // A filtered page may be short and still have a cursor (DynamoDB filters after Limit): follow it to the end.
      const paged: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages === 0 || (cursor !== null && pages < 20); pages++) {
        const page: Awaited<ReturnType<typeof repos.users.listUsers>> = await repos.users.listUsers(appId, 1, cursor, {
          twoFactorEnabled: true,
        });
        expect(page.items.length).toBeLessThanOrEqual(1);
        paged.push(...page.items.map((user) => user.id));
        cursor = page.nextCursor;
      }

      expect(withTwoFactor.items.map((user) => user.id)).toEqual([second.user.id]);
      expect(without.items.map((user) => user.id).sort()).toEqual([first.user.id, third.user.id].sort());
      expect(paged).toEqual([second.user.id]);
      expect(cursor).toBeNull();
    });

    it('reads several profiles at once, leaving out unknown ids', async () => {
      const appId = newId('app');
      const { user } = await enrolled(repos, appId);

      const found = await repos.users.getUsers([user.id, newId('usr')]);

      expect(found).toEqual([user]);
      expect(await repos.users.getUsers([])).toEqual([]);
    });
  });

  describe('deadline reminders', () => {
    it('records a reminder and its audit entry once per user, deadline and days left', async () => {
      const appId = newId('app');
      const { user } = await signedUp(repos, appId);
      const reminder = { enrollBy: '2030-01-09T00:00:00.000Z', daysLeft: 7 };
      const audit = anAudit(appId, 'two_factor.enforcement_deadline_approaching', { targetUserId: user.id, detail: { daysLeft: 7 } });

      expect(await repos.users.recordDeadlineReminder(user.id, reminder, audit)).toBe(true);
      expect(await repos.users.recordDeadlineReminder(user.id, reminder, { ...audit, id: newId('evt') })).toBe(false);
      expect(await repos.users.recordDeadlineReminder(user.id, { ...reminder, daysLeft: 1 }, anAudit(appId))).toBe(true);

      const entries = (await repos.audit.listAuditEvents(appId, 10, null)).items;
      expect(entries.filter((entry) => entry.type === 'two_factor.enforcement_deadline_approaching')).toEqual([audit]);
    });

    it('lists an app while its published config has deadlines, by its publishes and plan changes', async () => {
      const creation = anAppCreation();
      await repos.apps.createApp(creation);
      const appId = creation.app.id;
      expect(await repos.apps.listAppsWithDeadlines()).not.toContain(appId);

      await repos.apps.publishConfig(appId, 'enterprise', config(1), anAudit(appId));
      expect(await repos.apps.listAppsWithDeadlines()).toContain(appId);

      await repos.apps.publishConfig(appId, 'enterprise', config(2, { requiredGraceDays: 0 }), anAudit(appId));
      expect(await repos.apps.listAppsWithDeadlines()).not.toContain(appId);

      await repos.apps.publishConfig(appId, 'enterprise', config(3, { mode: 'optional', requiredForRoles: ['admin'] }), anAudit(appId));
      expect(await repos.apps.listAppsWithDeadlines()).toContain(appId);

      await repos.apps.changePlan({
        appId,
        plan: 'business',
        seen: { publishedVersion: 3, draft: creation.draft },
        draft: null,
        publish: config(4, { mode: 'optional', requiredGraceDays: 0, requiredSince: {} }),
        audit: anAudit(appId, 'plan.changed'),
      });
      expect(await repos.apps.listAppsWithDeadlines()).not.toContain(appId);
    });
  });
});
