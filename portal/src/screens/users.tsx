import { useRef, useState } from 'preact/hooks';
import type { TwoFactorFilter, UserRow, UserSummary, UsersPage } from '../api/client.js';
import { usePortal, useSession } from '../context.js';
import { ErrorArea } from '../ui/action-form.js';
import { announce } from '../ui/announce.js';
import { describeFailure } from '../ui/failure.js';
import { CheckboxField, TextField } from '../ui/fields.js';
import { formatDate } from '../ui/format.js';
import { useFocusAfterRender } from '../ui/hooks.js';
import { Icon, icons } from '../ui/icon.js';
import { type MenuProps, Menu } from '../ui/menu.js';
import { Modal } from '../ui/modal.js';
import { PageHeading } from '../ui/page-heading.js';
import { LoadedContent } from './loading.js';
import { isStepUpCancelled, useStepUp } from './step-up.js';

type UserAction = 'reset' | 'unlock';

type Filter = 'all' | TwoFactorFilter;

const filters: { filter: Filter; label: string }[] = [
  { filter: 'all', label: 'All' },
  { filter: 'enrolled', label: 'Enrolled' },
  { filter: 'pending', label: 'Pending' },
];

/** How a filtered list is announced: "3 users with 2FA". */
const filterWords: Record<Filter, string> = { all: '', enrolled: ' with 2FA', pending: ' without 2FA yet' };

/** The users table of the app's admin, filtered by 2FA (`GET /users?twoFactor=`): all, enrolled, pending. */
export function Users() {
  const { api } = usePortal();
  const session = useSession();
  const [filter, setFilter] = useState<Filter>('all');
  const filtered = useRef(false);
  const load = (shown: Filter) =>
    api.listUsers(session.token(), undefined, shown === 'all' ? undefined : shown).then((page) => {
      // The list changed under the filter the admin just chose: say so (the focus stays on the filter).
      if (filtered.current)
        announce(`${page.users.length}${page.nextCursor ? '+' : ''} user${page.users.length === 1 ? '' : 's'}${filterWords[shown]}.`);
      return page;
    });
  return (
    <div class="stack">
      <PageHeading focus>Users</PageHeading>
      <fieldset class="segmented">
        <legend>Two-factor authentication</legend>
        {filters.map((option) => (
          <label key={option.filter} class="segment">
            <input
              type="radio"
              name="two-factor-filter"
              value={option.filter}
              checked={filter === option.filter}
              onChange={(event) => {
                if (!event.currentTarget.checked) return;
                filtered.current = true;
                setFilter(option.filter);
              }}
            />
            {option.label}
          </label>
        ))}
      </fieldset>
      <LoadedContent key={filter} load={() => load(filter)}>
        {(page) => <UsersTable firstPage={page} filter={filter} />}
      </LoadedContent>
    </div>
  );
}

/**
 * The users, with the "2FA setup Complete" column once the published mode is not off. Reset 2FA and
 * Unlock are in a context menu: right-click a row, press the context-menu key or Shift+F10 on it, or use
 * the row's visible "…" button. Each asks for confirmation first, and for the admin's second factor when
 * the service wants a fresh one (step-up).
 */
function UsersTable({ firstPage, filter }: { firstPage: UsersPage; filter: Filter }) {
  const { api } = usePortal();
  const session = useSession();
  const focusAfterRender = useFocusAfterRender();
  const [users, setUsers] = useState<UserRow[]>(firstPage.users);
  const [nextCursor, setNextCursor] = useState(firstPage.nextCursor);
  const [twoFactorColumn, setTwoFactorColumn] = useState(firstPage.twoFactorColumn);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState('');
  const [menu, setMenu] = useState<{ user: UserSummary; at: MenuProps['at']; returnFocus: HTMLElement } | null>(null);
  const [dialog, setDialog] = useState<{ action: UserAction; user: UserSummary } | null>(null);
  const rows = useRef(new Map<string, HTMLTableRowElement>());

  const loadMore = () => {
    if (!nextCursor) return;
    api
      .listUsers(session.token(), nextCursor, filter === 'all' ? undefined : filter)
      .then((page) => {
        setUsers((current) => [...current, ...page.users]);
        setNextCursor(page.nextCursor);
        setTwoFactorColumn(page.twoFactorColumn);
        setMessage(null);
        setFailure('');
      })
      .catch((error: unknown) => {
        if (!session.handleSessionFailure(error)) setFailure(describeFailure(error));
      });
  };

  /** After a reset or unlock: the row redrawn, the news on top and announced, the focus back on the row. */
  const done = (updated: UserSummary, text: string) => {
    setUsers((current) => current.map((user) => (user.id === updated.id ? { ...user, ...updated } : user)));
    setDialog(null);
    setMessage(text);
    announce(text);
    focusAfterRender(() => rows.current.get(updated.id));
  };

  const openRowMenu = (user: UserSummary, at: MenuProps['at'], returnFocus: HTMLElement) => setMenu({ user, at, returnFocus });
  const belowRow = (row: HTMLElement) => {
    const rect = row.getBoundingClientRect();
    return { x: rect.left + 24, y: rect.bottom };
  };
  const focusRow = (index: number) => {
    const user = users[index];
    if (user) rows.current.get(user.id)?.focus();
  };

  const headers = ['Email', 'Role', 'Created', ...(twoFactorColumn ? ['2FA setup Complete'] : []), 'Actions'];
  return (
    <>
      {message ? (
        <div class="banner info">
          <p>{message}</p>
        </div>
      ) : null}
      <p class="hint">
        {twoFactorColumn
          ? 'To reset a user’s 2FA or unlock them, right-click their row, press Shift+F10 on it, or use its “…” button.'
          : 'The “2FA setup Complete” column appears once two-factor authentication is published as optional or required. To unlock a user, right-click their row, press Shift+F10 on it, or use its “…” button.'}
      </p>
      <table class="users">
        <caption class="visually-hidden">Users of this app</caption>
        <thead>
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {users.map((user, index) => (
            <tr
              key={user.id}
              ref={(row) => {
                if (row) rows.current.set(user.id, row);
                else rows.current.delete(user.id);
              }}
              tabIndex={0}
              data-user-id={user.id}
              aria-label={`${user.email}. Press Shift+F10 for actions.`}
              onContextMenu={(event) => {
                event.preventDefault();
                const row = event.currentTarget;
                const keyboard = event.clientX === 0 && event.clientY === 0;
                openRowMenu(user, keyboard ? belowRow(row) : { x: event.clientX, y: event.clientY }, row);
              }}
              onKeyDown={(event) => {
                const row = event.currentTarget;
                if (event.target !== row) return;
                if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
                  event.preventDefault();
                  openRowMenu(user, belowRow(row), row);
                } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                  event.preventDefault();
                  focusRow(event.key === 'ArrowDown' ? index + 1 : index - 1);
                }
              }}
            >
              <th scope="row">{user.email}</th>
              <td>{user.role}</td>
              <td>{formatDate(user.createdAt)}</td>
              {twoFactorColumn ? (
                <td class="two-factor-cell">
                  {user.twoFactorSetupComplete ? <span class="badge on">Yes</span> : <span class="badge">No</span>}
                  <TwoFactorDue user={user} />
                </td>
              ) : null}
              <td>
                <button
                  type="button"
                  class="icon-button"
                  aria-haspopup="menu"
                  aria-label={`Actions for ${user.email}`}
                  onClick={(event) => {
                    const button = event.currentTarget;
                    const rect = button.getBoundingClientRect();
                    openRowMenu(user, { x: rect.right - 180, y: rect.bottom + 4 }, button);
                  }}
                >
                  <Icon paths={icons.dots} />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.length === 0 ? <p class="muted">{filter === 'all' ? 'No users yet.' : 'No users match this filter.'}</p> : null}
      {failure ? <ErrorArea message={failure} /> : null}
      {nextCursor ? (
        <div class="actions">
          <button type="button" class="secondary" onClick={loadMore}>
            Load more
          </button>
        </div>
      ) : null}
      {menu ? (
        <Menu
          label={`Actions for ${menu.user.email}`}
          at={menu.at}
          returnFocus={menu.returnFocus}
          onClose={() => setMenu(null)}
          items={[
            {
              label: 'Reset 2FA',
              disabled: !menu.user.twoFactorSetupComplete,
              hint: menu.user.twoFactorSetupComplete ? undefined : ' (not set up)',
              onSelect: () => setDialog({ action: 'reset', user: menu.user }),
            },
            { label: 'Unlock', onSelect: () => setDialog({ action: 'unlock', user: menu.user }) },
          ]}
        />
      ) : null}
      {dialog ? <UserActionDialog action={dialog.action} user={dialog.user} onCancel={() => setDialog(null)} onDone={done} /> : null}
    </>
  );
}

/** After "No": by when a user it is required of must set 2FA up, or that they are overdue. */
function TwoFactorDue({ user }: { user: UserRow }) {
  if (user.twoFactorSetupComplete) return null;
  if (user.twoFactorStatus === 'pending' && user.enrollBy) return <span class="hint">{` due by ${formatDate(user.enrollBy)}`}</span>;
  if (user.twoFactorStatus === 'overdue') return <span class="hint"> overdue: required at next sign-in</span>;
  return null;
}

/**
 * "Reset 2FA for …?" (with an optional reason, told to the user in the security email unless kept internal,
 * when only the audit log keeps it) or "Unlock …?": what it does, then the
 * action, with a step-up first when the service asks for one. A refusal is shown in the dialog; a closed
 * step-up prompt changes nothing and gives the focus back to the confirm button.
 */
function UserActionDialog({
  action,
  user,
  onCancel,
  onDone,
}: {
  action: UserAction;
  user: UserSummary;
  onCancel: () => void;
  onDone: (updated: UserSummary, message: string) => void;
}) {
  const { api } = usePortal();
  const session = useSession();
  const withStepUp = useStepUp();
  const focusAfterRender = useFocusAfterRender();
  const [reason, setReason] = useState('');
  const [reasonInternal, setReasonInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const confirmButton = useRef<HTMLButtonElement>(null);
  const reset = action === 'reset';

  const confirm = () => {
    setBusy(true);
    // A reset strips a user's second factor, an unlock ends a lockout: the service may first ask for the admin's own.
    withStepUp(() =>
      reset
        ? api.resetUserTwoFactor(session.token(), user.id, reason.trim() || undefined, reasonInternal)
        : api.unlockUser(session.token(), user.id),
    )
      .then((result) =>
        onDone(
          result.user,
          reset
            ? `2FA was reset for ${user.email}. They will link an authenticator app again at their next sign-in.`
            : `${user.email} is unlocked: they can try their password and codes again now.`,
        ),
      )
      .catch((error: unknown) => {
        setBusy(false);
        if (session.handleSessionFailure(error)) onCancel();
        else if (isStepUpCancelled(error)) focusAfterRender(() => confirmButton.current);
        else setFailure(describeFailure(error));
      });
  };

  return (
    <Modal title={reset ? `Reset 2FA for ${user.email}?` : `Unlock ${user.email}?`} className="confirm-dialog" onClose={onCancel}>
      <div class="stack">
        <p>
          {reset
            ? 'Their authenticator app and backup codes stop working, and they are signed out everywhere. They will link an authenticator app again at their next sign-in (or from the user menu).'
            : 'Too many wrong passwords or codes lock an account for a while. Unlocking ends those waits at once, so only do it when you know it was this person who was locked out (for example, they called you). Their password, authenticator app and backup codes stay as they are.'}
        </p>
        {reset ? (
          <>
            <TextField
              label="Reason (optional, kept in the audit log)"
              name="reason"
              required={false}
              maxLength={500}
              value={reason}
              onValue={setReason}
            />
            <CheckboxField
              label="Keep the reason internal"
              name="reasonInternal"
              hint={`${user.email} gets an email saying who reset their 2FA. Ticked, the email leaves the reason out; the audit log keeps it either way.`}
              checked={reasonInternal}
              onChecked={setReasonInternal}
            />
          </>
        ) : null}
        <ErrorArea message={failure} />
        <div class="actions">
          <button ref={confirmButton} type="button" class={reset ? 'danger' : 'primary'} disabled={busy} onClick={confirm}>
            {reset ? 'Reset 2FA' : 'Unlock'}
          </button>
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </Modal>
  );
}
