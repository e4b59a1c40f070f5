import { beforeEach, describe, expect, it } from '@jest/globals';
import { csvCell } from '../../../functions/core/csv.js';
import type { Plan, Role, TwoFactorMode } from '../../../functions/core/model.js';
import { listDevices } from '../../../functions/core/use-cases/devices.js';
import { disableTwoFactor } from '../../../functions/core/use-cases/disable-two-factor.js';
import { enrollmentReport } from '../../../functions/core/use-cases/enrollment-report.js';
import { exportUsers } from '../../../functions/core/use-cases/export-users.js';
import { getMe } from '../../../functions/core/use-cases/get-me.js';
import { listUsers } from '../../../functions/core/use-cases/list-users.js';
import { logIn } from '../../../functions/core/use-cases/log-in.js';
import { publishConfig } from '../../../functions/core/use-cases/publish-config.js';
import { remindEnrollmentDeadlines } from '../../../functions/core/use-cases/remind-enrollment-deadlines.js';
import { adminResetTwoFactor } from '../../../functions/core/use-cases/reset-two-factor.js';
import { setPlan } from '../../../functions/core/use-cases/set-plan.js';
import { signUp } from '../../../functions/core/use-cases/sign-up.js';
import { getTwoFactorSettings, readSettings, updateTwoFactorSettings } from '../../../functions/core/use-cases/two-factor-settings.js';
import {
  type SeededApp,
  type SeededUser,
  World,
  auditEntries,
  codeAt,
  dayMs,
  minuteMs,
  outcomeOf,
  password,
  seedApp,
  seedEnrolledUser,
  seedSession,
  seedUser,
} from '../../support/domain/world.js';
import { stepUp } from '../../../functions/core/use-cases/step-up.js';

/**
 * Enforcement (README, API extensions; docs/enforcement.md): grace periods counted from the publish (or the
 * sign-up) to the end of a UTC day, per-role requirements under `optional`, what each plan may set, the
 * enrollment report from counters, the users filter and CSV, and the deadline reminders. The world's clock
 * starts at 2030-01-01T00:00:05Z.
 */

let world: World;

beforeEach(() => {
  world = new World();
});

interface Settings {
  mode: TwoFactorMode;
  requiredGraceDays?: number;
  requiredForRoles?: Role[];
}

const settings = (seeded: SeededApp, values: Settings, token = seeded.admin.sessionToken) =>
  updateTwoFactorSettings(world.deps, { appId: seeded.app.id, token, ...values });
const publish = (seeded: SeededApp, token = seeded.admin.sessionToken) =>
  publishConfig(world.deps, { appId: seeded.app.id, token, deadline: world.now + minuteMs });
const login = (seeded: SeededApp, user: SeededUser) => logIn(world.deps, { appId: seeded.app.id, email: user.email, password });
const at = (iso: string) => {
  world.now = Date.parse(iso);
};

async function enforcing(
  values: { mode: TwoFactorMode; requiredGraceDays?: number; requiredForRoles?: Role[] },
  plan: Plan = 'enterprise',
) {
  const seeded = await seedApp(world, { plan });
  const member = await seedUser(world, seeded.app);
  await settings(seeded, values);
  await publish(seeded);
  return { seeded, member };
}

describe('a grace period', () => {
  it('lets a user without 2FA sign in until the end of the UTC day grace days after the publish, then forces enrollment', async () => {
    const { seeded, member } = await enforcing({ mode: 'required', requiredGraceDays: 7 });

    const during = await login(seeded, member);
    expect(during).toMatchObject({
      status: 'SIGNED_IN',
      twoFactor: { available: true, suggested: true, enrollBy: '2030-01-09T00:00:00.000Z' },
    });
    await expect(getMe(world.deps, { appId: seeded.app.id, token: member.sessionToken })).resolves.toMatchObject({
      twoFactor: { required: true, enrollBy: '2030-01-09T00:00:00.000Z' },
    });
    await expect(listDevices(world.deps, { appId: seeded.app.id, token: member.sessionToken })).resolves.toBeDefined();

    at('2030-01-08T23:59:59.000Z');
    await expect(login(seeded, member)).resolves.toMatchObject({ status: 'SIGNED_IN' });
    const admin = await login(seeded, seeded.admin);
    const token = 'session' in admin ? admin.session.token : '';
    await expect(getTwoFactorSettings(world.deps, { appId: seeded.app.id, token })).resolves.toMatchObject({ plan: 'enterprise' });
    at('2030-01-09T00:00:00.000Z');
    await expect(login(seeded, member)).resolves.toMatchObject({ status: 'TWO_FACTOR_ENROLLMENT_REQUIRED' });
    // A session from before the deadline may now only enroll, read `me` and log out.
    await expect(outcomeOf(getTwoFactorSettings(world.deps, { appId: seeded.app.id, token }))).resolves.toBe('two_factor_required');
    await expect(getMe(world.deps, { appId: seeded.app.id, token })).resolves.toMatchObject({
      twoFactor: { required: true, enrollBy: null },
    });
  });

  it('gives a later sign-up its own grace, counted from its sign-up day', async () => {
    const { seeded } = await enforcing({ mode: 'required', requiredGraceDays: 3 });
    at('2030-01-20T15:00:00.000Z');

    const signedUp = await signUp(world.deps, { appId: seeded.app.id, email: 'late@example.test', password });

    expect(signedUp).toMatchObject({ status: 'SIGNED_IN', twoFactor: { enrollBy: '2030-01-24T00:00:00.000Z' } });
  });

  it('with 0 days forces enrollment at once, as required always did', async () => {
    const { seeded, member } = await enforcing({ mode: 'required', requiredGraceDays: 0 });

    await expect(login(seeded, member)).resolves.toMatchObject({ status: 'TWO_FACTOR_ENROLLMENT_REQUIRED' });
    await expect(signUp(world.deps, { appId: seeded.app.id, email: 'new@example.test', password })).resolves.toMatchObject({
      status: 'TWO_FACTOR_ENROLLMENT_REQUIRED',
    });
  });

  it('keeps counting from the first publish that required 2FA while later publishes keep requiring it', async () => {
    const { seeded, member } = await enforcing({ mode: 'required', requiredGraceDays: 7 });
    world.advance(3 * dayMs);
    const admin = await seedSession(world, seeded.admin.user);
    await settings(seeded, { mode: 'required', requiredGraceDays: 10 }, admin.sessionToken);
    await publish(seeded, admin.sessionToken);

    // Counted from January 1st, not from the second publish: the longer grace moves the deadline by 3 days only.
    await expect(login(seeded, member)).resolves.toMatchObject({ twoFactor: { enrollBy: '2030-01-12T00:00:00.000Z' } });
  });
});

describe('a per-role requirement', () => {
  it('requires 2FA of admins under optional, leaving members free', async () => {
    const { seeded, member } = await enforcing({ mode: 'optional', requiredForRoles: ['admin'], requiredGraceDays: 2 });

    await expect(login(seeded, seeded.admin)).resolves.toMatchObject({
      status: 'SIGNED_IN',
      twoFactor: { suggested: true, enrollBy: '2030-01-04T00:00:00.000Z' },
    });
    await expect(login(seeded, member)).resolves.toMatchObject({ status: 'SIGNED_IN', twoFactor: { suggested: true, enrollBy: null } });
    world.advance(3 * dayMs);
    await expect(login(seeded, seeded.admin)).resolves.toMatchObject({ status: 'TWO_FACTOR_ENROLLMENT_REQUIRED' });
    await expect(login(seeded, member)).resolves.toMatchObject({ status: 'SIGNED_IN' });
  });

  it('refuses to disable 2FA for a required role, and allows it for the others', async () => {
    const seeded = await seedApp(world, { plan: 'enterprise', published: { mode: 'optional', requiredForRoles: ['admin'] } });
    const admin = await seedEnrolledUser(world, seeded.app, 'admin');
    const member = await seedEnrolledUser(world, seeded.app, 'member');
    world.advance(60_000);

    await expect(
      outcomeOf(disableTwoFactor(world.deps, { appId: seeded.app.id, token: admin.sessionToken, code: codeAt(admin.secret, world.now) })),
    ).resolves.toBe('two_factor_required');
    await expect(
      disableTwoFactor(world.deps, { appId: seeded.app.id, token: member.sessionToken, code: codeAt(member.secret, world.now) }),
    ).resolves.toEqual({ status: 'DISABLED' });
  });
});

describe('the plan table', () => {
  const refused: [Plan, Settings][] = [
    ['business', { mode: 'optional', requiredGraceDays: 5 }],
    ['business', { mode: 'optional', requiredForRoles: ['admin'] }],
    ['pro', { mode: 'off', requiredForRoles: ['member'] }],
  ];
  it.each(refused)('refuses a grace period or a per-role requirement on %s', async (plan, values) => {
    const seeded = await seedApp(world, { plan });

    await expect(outcomeOf(settings(seeded, values))).resolves.toBe('plan_upgrade_required');
  });

  it('lets enterprise set both, and a downgrade to business takes both away, live at once', async () => {
    const { seeded } = await enforcing({ mode: 'optional', requiredForRoles: ['admin'], requiredGraceDays: 30 });

    const lowered = await setPlan(world.deps, { appId: seeded.app.id, plan: 'business', actor: 'platform:test' });

    expect(lowered).toMatchObject({
      enforcementOptions: false,
      draft: { mode: 'optional', requiredGraceDays: 0, requiredForRoles: [] },
      published: { version: 2, mode: 'optional', requiredGraceDays: 0, requiredForRoles: [], requiredSince: {} },
    });
  });

  it('needs a recent second factor to lengthen the grace or drop a role', async () => {
    const seeded = await seedApp(world, { plan: 'enterprise', published: { mode: 'optional', requiredForRoles: ['admin', 'member'] } });
    const admin = await seedEnrolledUser(world, seeded.app, 'admin');

    await expect(outcomeOf(settings(seeded, { mode: 'optional', requiredForRoles: ['admin'] }, admin.sessionToken))).resolves.toBe(
      'step_up_required',
    );
    await stepUp(world.deps, { appId: seeded.app.id, token: admin.sessionToken, code: codeAt(admin.secret, world.now) });
    await expect(settings(seeded, { mode: 'optional', requiredForRoles: ['admin'] }, admin.sessionToken)).resolves.toMatchObject({
      draft: { requiredForRoles: ['admin'] },
      unpublishedChanges: true,
    });
    await expect(readSettings(world.deps, seeded.app.id)).resolves.toMatchObject({ published: { requiredForRoles: ['admin', 'member'] } });
  });
});

describe('the enrollment report', () => {
  it('counts enrolled, pending by deadline and overdue per role from the counters, as days pass', async () => {
    const { seeded } = await enforcing({ mode: 'required', requiredGraceDays: 2 });
    const admin = await seedEnrolledUser(world, seeded.app, 'admin');
    const enrolledMember = await seedEnrolledUser(world, seeded.app);
    at('2030-01-02T12:00:00.000Z');
    await seedUser(world, seeded.app);
    const report = async () =>
      enrollmentReport(world.deps, { appId: seeded.app.id, token: (await seedSession(world, admin.user)).sessionToken });

    const first = await report();
    expect(first.totals).toEqual({ users: 5, enrolled: 2, notEnrolled: 3, pending: 3, overdue: 0 });
    expect(first.roles.find((role) => role.role === 'member')).toEqual({
      role: 'member',
      required: true,
      requiredSince: '2030-01-01T00:00:05.000Z',
      users: 3,
      enrolled: 1,
      notEnrolled: 2,
      pending: 2,
      overdue: 0,
      pendingByDeadline: [
        { enrollBy: '2030-01-04T00:00:00.000Z', users: 1 },
        { enrollBy: '2030-01-05T00:00:00.000Z', users: 1 },
      ],
    });

    at('2030-01-04T00:00:00.000Z');
    expect((await report()).totals).toEqual({ users: 5, enrolled: 2, notEnrolled: 3, pending: 1, overdue: 2 });

    at('2030-01-05T00:00:00.000Z');
    const session = await seedSession(world, admin.user);
    await stepUp(world.deps, { appId: seeded.app.id, token: session.sessionToken, code: codeAt(admin.secret, world.now) });
    await adminResetTwoFactor(world.deps, {
      appId: seeded.app.id,
      token: session.sessionToken,
      userId: enrolledMember.user.id,
      reason: null,
    });
    expect((await report()).totals).toEqual({ users: 5, enrolled: 1, notEnrolled: 4, pending: 0, overdue: 4 });
  });

  it('counts nobody pending or overdue for a role 2FA is not required for', async () => {
    const { seeded } = await enforcing({ mode: 'optional', requiredForRoles: ['admin'], requiredGraceDays: 1 });

    const result = await enrollmentReport(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken });

    expect(result.roles).toEqual([
      expect.objectContaining({ role: 'admin', required: true, users: 1, pending: 1, overdue: 0 }),
      expect.objectContaining({ role: 'member', required: false, users: 1, notEnrolled: 1, pending: 0, overdue: 0 }),
    ]);
  });
});

describe('the users table', () => {
  it('filters by 2FA and shows each user’s status, enrolled-at and deadline, in JSON and CSV', async () => {
    const { seeded, member } = await enforcing({ mode: 'required', requiredGraceDays: 7 });
    const enrolled = await seedEnrolledUser(world, seeded.app);

    const pending = await listUsers(world.deps, {
      appId: seeded.app.id,
      token: seeded.admin.sessionToken,
      limit: 10,
      cursor: null,
      twoFactor: 'pending',
    });
    const withTwoFactor = await listUsers(world.deps, {
      appId: seeded.app.id,
      token: seeded.admin.sessionToken,
      limit: 10,
      cursor: null,
      twoFactor: 'enrolled',
    });
    const csv = await exportUsers(world.deps, { appId: seeded.app.id, token: seeded.admin.sessionToken, limit: 1000, cursor: null });

    expect(pending.users.map((user) => user.id).sort()).toEqual([seeded.admin.user.id, member.user.id].sort());
    expect(pending.users[0]).toMatchObject({ twoFactorStatus: 'pending', twoFactorEnrolledAt: null, enrollBy: '2030-01-09T00:00:00.000Z' });
    expect(withTwoFactor.users).toEqual([
      expect.objectContaining({
        id: enrolled.user.id,
        twoFactorStatus: 'enrolled',
        twoFactorEnrolledAt: enrolled.user.twoFactorEnabledAt,
        enrollBy: null,
      }),
    ]);
    expect(csv.csv.split('\r\n')[0]).toBe('id,email,role,createdAt,twoFactorStatus,twoFactorEnrolledAt,enrollBy');
    expect(csv.csv).toContain(`${enrolled.user.id},${enrolled.email},member,`);
    expect(csv.nextCursor).toBeNull();
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=1+2', `"'=1+2"`],
    ['+cmd', `"'+cmd"`],
    ['-2', `"'-2"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tTAB', `"'\tTAB"`],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
  ])('writes the cell %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('deadline reminders', () => {
  it('records one reminder 7 days and one 1 day before each deadline, however often the run repeats', async () => {
    const { seeded, member } = await enforcing({ mode: 'required', requiredGraceDays: 10 });
    await seedEnrolledUser(world, seeded.app);
    const run = () => remindEnrollmentDeadlines(world.deps, { deadline: world.now + minuteMs });

    at('2030-01-04T23:00:00.000Z');
    expect(await run()).toMatchObject({ reminded: 0 });
    at('2030-01-05T00:00:01.000Z');
    expect(await run()).toMatchObject({ reminded: 2 });
    expect(await run()).toMatchObject({ reminded: 0 });
    at('2030-01-11T06:00:00.000Z');
    expect(await run()).toMatchObject({ reminded: 2 });

    const reminders = await auditEntries(world, seeded.app.id, 'two_factor.enforcement_deadline_approaching');
    expect(reminders.filter((entry) => entry.targetUserId === member.user.id).map((entry) => entry.detail)).toEqual([
      { daysLeft: 7, enrollBy: '2030-01-12T00:00:00.000Z' },
      { daysLeft: 1, enrollBy: '2030-01-12T00:00:00.000Z' },
    ]);
  });

  it('reminds nobody of an app without deadlines', async () => {
    await enforcing({ mode: 'required', requiredGraceDays: 0 });
    at('2030-01-05T00:00:01.000Z');

    await expect(remindEnrollmentDeadlines(world.deps, { deadline: world.now + minuteMs })).resolves.toMatchObject({
      apps: 0,
      reminded: 0,
    });
  });
});
