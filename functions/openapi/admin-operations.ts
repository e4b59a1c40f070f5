import type { Operation } from './contract.js';
import {
  appParams,
  appUserParams,
  emptyBody,
  pageQuery,
  resetTwoFactorBody,
  twoFactorSettingsBody,
  usersCsvQuery,
  usersQuery,
} from '../http/schemas.js';
import * as responses from './responses.js';
import { enrollmentReport } from './report-responses.js';

/** The operations of app admins (settings, publish, users, audit log). */
export const adminOperations: Record<string, Operation> = {
  'settings-get': {
    operationId: 'getTwoFactorSettings',
    tag: 'App admins',
    summary: 'Two-factor settings',
    caller: 'admin',
    request: { params: appParams },
    success: { status: 200, description: 'Draft and published settings.', body: responses.twoFactorSettings },
    errors: [],
  },
  'settings-put': {
    operationId: 'updateTwoFactorSettings',
    tag: 'App admins',
    summary: 'Change the draft settings',
    description:
      'Changes the draft only; `POST /publish` puts it in force. Lowering the mode, raising rememberDeviceDays or requiredGraceDays, or dropping a role from requiredForRoles needs a second factor proven in the last 10 minutes (step_up_required). requiredGraceDays > 0 and requiredForRoles need the enterprise plan (plan_upgrade_required).',
    caller: 'admin',
    request: { params: appParams, body: twoFactorSettingsBody },
    success: { status: 200, description: 'Draft and published settings.', body: responses.twoFactorSettings },
    errors: ['plan_upgrade_required', 'step_up_required'],
  },
  publish: {
    operationId: 'publishConfig',
    tag: 'App admins',
    summary: 'Publish the draft',
    description:
      "Publishing a lower mode, a higher rememberDeviceDays or requiredGraceDays, or fewer requiredForRoles than the config in force needs a second factor proven in the last 10 minutes (step_up_required). A role newly required starts its users' grace period now.",
    caller: 'admin',
    request: { params: appParams, body: emptyBody },
    success: { status: 200, description: 'The new version, now in force.', body: responses.published },
    errors: ['plan_upgrade_required', 'step_up_required'],
  },
  'users-list': {
    operationId: 'listUsers',
    tag: 'App admins',
    summary: 'The users table',
    caller: 'admin',
    description:
      '`twoFactor=enrolled` lists the users with 2FA, `twoFactor=pending` those without it yet; a filtered page may hold fewer than `limit` users and still have a cursor.',
    request: { params: appParams, query: usersQuery },
    success: { status: 200, description: 'A page of users.', body: responses.usersPage },
    errors: [],
  },
  'users-csv': {
    operationId: 'exportUsersCsv',
    tag: 'App admins',
    summary: 'The users table as CSV',
    description:
      'Columns: id, email, role, createdAt, twoFactorStatus, twoFactorEnrolledAt, enrollBy (RFC 4180, CRLF; a cell starting with = + - @, a tab or CR gets a leading apostrophe). Up to `limit` (1,000) rows a part, each with the header; `X-Next-Cursor` names the next part.',
    caller: 'admin',
    request: { params: appParams, query: usersCsvQuery },
    success: { status: 200, description: 'A part of the users table.', csvFile: 'text/csv; charset=utf-8, a download' },
    errors: [],
  },
  'two-factor-report': {
    operationId: 'getTwoFactorReport',
    tag: 'App admins',
    summary: 'The 2FA enrollment report',
    description:
      'Totals and per-role counts of users enrolled, pending (deadline ahead, grouped by deadline) and overdue, read from counters kept in the transactions that change them (docs/enforcement.md).',
    caller: 'admin',
    request: { params: appParams },
    success: { status: 200, description: 'The report as of now.', body: enrollmentReport },
    errors: [],
  },
  'user-reset': {
    operationId: 'resetUserTwoFactor',
    tag: 'App admins',
    summary: "Reset a user's 2FA",
    description:
      "Removes the user's authenticator, backup codes and pending enrollment; their sessions and challenges die, no device stays remembered and their lockouts end. The user is emailed who reset it and the reason, unless reasonInternal (the audit log keeps it). Never the admin's own account (forbidden); needs a second factor proven in the last 10 minutes (step_up_required).",
    caller: 'admin',
    request: { params: appUserParams, body: resetTwoFactorBody },
    success: { status: 200, description: 'The user, with twoFactorSetupComplete false.', body: responses.userReset },
    errors: ['not_found', 'step_up_required'],
  },
  'user-unlock': {
    operationId: 'unlockUser',
    tag: 'App admins',
    summary: "End a user's lockouts",
    description:
      "Ends the user's password and second-factor lockouts (audited as user.unlocked). Never the admin's own account (forbidden); needs a second factor proven in the last 10 minutes (step_up_required).",
    caller: 'admin',
    request: { params: appUserParams, body: emptyBody },
    success: { status: 200, description: 'The user.', body: responses.userReset },
    errors: ['not_found', 'step_up_required'],
  },
  'audit-events': {
    operationId: 'listAuditEvents',
    tag: 'App admins',
    summary: 'The audit log',
    caller: 'admin',
    request: { params: appParams, query: pageQuery },
    success: { status: 200, description: 'A page of audit events.', body: responses.auditEventsPage },
    errors: [],
  },
};
