import * as z from 'zod';
import { twoFactorModes } from '../core/model.js';
import type { EnrollmentReport } from '../core/use-cases/enrollment-report.js';
import { type Documents, type Holds, count, requiredGraceDays, role, timestamp } from './responses.js';

/** The enrollment report's response body (`GET /reports/two-factor`), for the OpenAPI document. */
const tally = {
  users: count,
  enrolled: count,
  notEnrolled: count,
  pending: count.describe('Without 2FA, required, deadline ahead.'),
  overdue: count.describe('Without 2FA, required, deadline passed or no grace: must enroll at the next login.'),
};

export const enrollmentReport = z.object({
  asOf: timestamp,
  mode: z.enum(twoFactorModes),
  requiredGraceDays,
  totals: z.object(tally),
  roles: z.array(
    z.object({
      role,
      required: z.boolean(),
      requiredSince: timestamp.nullable(),
      ...tally,
      pendingByDeadline: z.array(z.object({ enrollBy: timestamp, users: count })).describe('The pending users by deadline, soonest first.'),
    }),
  ),
});

/** Checked by the type checker, as `ResultsFitTheirSchemas` in responses.ts.
 * @public (no one imports it: the type checker evaluates it where it stands)
 */
export type ReportFitsItsSchema = Holds<Documents<typeof enrollmentReport, EnrollmentReport>>;
