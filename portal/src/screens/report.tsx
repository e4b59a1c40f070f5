import { useState } from 'preact/hooks';
import type { EnrollmentReport } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ErrorArea } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { downloadTextFile } from '../ui/download.js';
import { describeFailure } from '../ui/failure.js';
import { formatDate } from '../ui/format.js';
import { Icon, icons } from '../ui/icon.js';
import { PageHeading } from '../ui/page-heading.js';
import { LoadedContent } from './loading.js';
import { roleNames } from './settings-enforcement.js';

const modeNames: Record<EnrollmentReport['mode'], string> = { off: 'Off', optional: 'Optional', required: 'Required' };

type RoleCounts = EnrollmentReport['roles'][number];

/** The soonest deadline of a role's pending users (the service lists them soonest first). */
function nearestDeadline(role: RoleCounts): string | null {
  return role.pendingByDeadline[0]?.enrollBy ?? null;
}

/** The soonest deadline over every role. */
function nearestOverall(report: EnrollmentReport): string | null {
  const deadlines = report.roles.map(nearestDeadline).filter((deadline): deadline is string => deadline !== null);
  return deadlines.sort()[0] ?? null;
}

/** The admin's 2FA report: who has 2FA, who is pending (and until when) and who is overdue, with the users as CSV. */
export function TwoFactorReport() {
  const { api } = usePortal();
  const session = useSession();
  return (
    <div class="stack">
      <PageHeading focus>2FA report</PageHeading>
      <LoadedContent load={() => api.twoFactorReport(session.token())}>{(report) => <ReportView report={report} />}</LoadedContent>
    </div>
  );
}

function Total({ label, value, detail }: { label: string; value: number; detail?: string }) {
  return (
    <div class="total">
      <dt>{label}</dt>
      <dd>
        <span class="total-value">{value}</span>
        {detail ? <span class="hint">{detail}</span> : null}
      </dd>
    </div>
  );
}

function ReportView({ report }: { report: EnrollmentReport }) {
  const { totals } = report;
  const nearest = nearestOverall(report);
  const required = report.roles.filter((role) => role.required).map((role) => roleNames[role.role].toLowerCase());
  return (
    <>
      <p class="muted">
        {`As of ${formatDate(report.asOf)}. Mode: ${modeNames[report.mode]}; 2FA required for ${
          required.length > 0 ? required.join(' and ') : 'nobody'
        }${required.length > 0 ? `; grace period: ${report.requiredGraceDays} day${report.requiredGraceDays === 1 ? '' : 's'}` : ''}.`}
      </p>
      <section class="card" aria-labelledby="report-totals">
        <h2 id="report-totals">All users</h2>
        <dl class="totals">
          <Total label="Users" value={totals.users} />
          <Total label="Enrolled" value={totals.enrolled} />
          <Total label="Pending" value={totals.pending} detail={nearest ? `Nearest deadline ${formatDate(nearest)}` : undefined} />
          <Total label="Overdue" value={totals.overdue} />
        </dl>
        <p class="hint">
          Pending: without 2FA, required of them, deadline ahead. Overdue: without 2FA, required of them, deadline passed (or no grace
          period), so they set it up at their next sign-in. Users without 2FA who are not required to have it count as neither.
        </p>
      </section>
      <section class="stack" aria-labelledby="report-roles">
        <h2 id="report-roles">By role</h2>
        <table class="users report">
          <caption class="visually-hidden">2FA enrollment by role</caption>
          <thead>
            <tr>
              {['Role', '2FA required', 'Users', 'Enrolled', 'Pending', 'Nearest deadline', 'Overdue'].map((header) => (
                <th key={header} scope="col">
                  {header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.roles.map((role) => {
              const deadline = nearestDeadline(role);
              return (
                <tr key={role.role}>
                  <th scope="row">{roleNames[role.role]}</th>
                  <td>{role.required ? `Yes${role.requiredSince ? `, since ${formatDate(role.requiredSince)}` : ''}` : 'No'}</td>
                  <td>{role.users}</td>
                  <td>{role.enrolled}</td>
                  <td>{role.pending}</td>
                  <td>{deadline ? formatDate(deadline) : '–'}</td>
                  <td>{role.overdue}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <DownloadCsv />
    </>
  );
}

/** "Download CSV": every part of `GET /users.csv` (following X-Next-Cursor), saved as one file. */
function DownloadCsv() {
  const { api } = usePortal();
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');

  const download = () => {
    setBusy(true);
    setFailure('');
    api
      .exportUsersCsv(session.token())
      .then(({ filename, content }) => {
        downloadTextFile(filename, content, 'text/csv');
        announce(`Downloaded ${filename}.`);
      })
      .catch((error: unknown) => {
        if (!session.handleSessionFailure(error)) setFailure(describeFailure(error));
      })
      .finally(() => setBusy(false));
  };

  return (
    <section class="card" aria-labelledby="report-csv">
      <h2 id="report-csv">Users as CSV</h2>
      <p>Every user with their 2FA status, when they enrolled and their deadline: one row each, for a spreadsheet.</p>
      <ErrorArea message={failure} />
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} aria-busy={busy ? 'true' : undefined} onClick={download}>
          <Icon paths={icons.download} />
          Download CSV
        </button>
      </div>
    </section>
  );
}
