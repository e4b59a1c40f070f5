import { ConditionFailedError, type ConflictReason } from '../../core/errors.js';
import type {
  AppRuntime,
  AuditEvent,
  BackupCodeSet,
  Challenge,
  Device,
  DraftSettings,
  FailureCount,
  PendingEnrollment,
  PublishedConfig,
  Session,
  TotpFactor,
  User,
} from '../../core/model.js';

/**
 * One kind of record, keyed as its DynamoDB item is. Every read and every write copies, so neither a caller
 * nor a test can change stored state by mutating what it passed in or got back.
 */
class Records<T> {
  private readonly byKey = new Map<string, T>();

  get(key: string): T | undefined {
    const record = this.byKey.get(key);
    return record === undefined ? undefined : structuredClone(record);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  put(key: string, record: T): void {
    this.byKey.set(key, structuredClone(record));
  }

  /** Changes a stored record in place (a no-op when there is none), as an UpdateItem on an existing item. */
  update(key: string, change: (record: T) => void): void {
    const record = this.get(key);
    if (record === undefined) return;
    change(record);
    this.byKey.set(key, record);
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }

  /** Copies of the records `matches` picks, in no particular order. */
  where(matches: (record: T) => boolean): T[] {
    return [...this.byKey.values()].filter(matches).map((record) => structuredClone(record));
  }
}

/** A composite key; JSON keeps `a#b` + `c` apart from `a` + `b#c`. */
export function keyOf(...parts: (string | number)[]): string {
  return JSON.stringify(parts);
}

/** A pending enrollment with the time step a correct code claimed (see `claimEnrollmentStep`). */
export interface StoredPendingEnrollment extends PendingEnrollment {
  claimedStep: number | null;
}

/** Wrong passwords for an email; `expiresAt` (epoch seconds) is when DynamoDB's TTL would forget them. */
export interface StoredPasswordFailures extends FailureCount {
  expiresAt: number | null;
}

/**
 * The in-memory stand-in of the single table: one map per kind of item, keyed as `keys.ts` keys the item.
 * Nothing expires: DynamoDB's TTL deletes lazily, and the DynamoDB store does not filter on read either.
 */
export class MemoryTable {
  /** By app id; `publishedConfig` stands for the published attributes of the app item. */
  readonly apps = new Records<AppRuntime>();
  readonly drafts = new Records<DraftSettings>();
  /** By app id and version. */
  readonly configVersions = new Records<PublishedConfig>();
  /** Wrapped data keys by app id and key id. */
  readonly dataKeys = new Records<string>();
  /** The user id claiming an email, by app id and email. */
  readonly emailClaims = new Records<string>();
  readonly users = new Records<User>();
  readonly factors = new Records<TotpFactor>();
  readonly pendingEnrollments = new Records<StoredPendingEnrollment>();
  readonly backupCodes = new Records<BackupCodeSet>();
  /** By user id and device id. */
  readonly devices = new Records<Device>();
  /** By app id and email. */
  readonly passwordFailures = new Records<StoredPasswordFailures>();
  readonly sessions = new Records<Session>();
  readonly challenges = new Records<Challenge>();
  /** By app id and the audit item's sort key (`at#id`). */
  readonly auditEvents = new Records<AuditEvent>();
  /** Enrollment counters by app id, role and bucket (`TOTAL` or a sign-up day); DynamoDB's shards summed. */
  readonly enrollmentCounts = new Records<{ appId: string; role: string; bucket: string; users: number; enrolled: number }>();
  /** The apps whose published config has enrollment deadlines, by app id. */
  readonly appsWithDeadlines = new Records<string>();
  /** Deadline reminders sent, by user id, deadline and days left. */
  readonly deadlineReminders = new Records<string>();
}

/**
 * One write of a transaction: the condition DynamoDB would check on its item, with the reason to report when
 * that condition is what cancelled the transaction, and the write itself (none for a condition check). A
 * reason given as a function picks it from the item as the condition found it, where one condition closes
 * two races (DynamoDB's store reads that item from the cancellation).
 */
export interface Step {
  condition?: { holds: () => boolean; reason: ConflictReason | (() => ConflictReason) };
  write?: () => void;
}

/**
 * All or nothing, as TransactWriteItems: every condition is checked before anything is written, and the
 * first failing step in order reports its reason (as the DynamoDB store picks it from the cancellation
 * reasons). The steps of one transaction touch distinct items, so the order of the writes does not matter.
 */
export function transact(steps: readonly Step[]): void {
  const lost = steps.find((step) => step.condition !== undefined && !step.condition.holds());
  if (lost?.condition) {
    const { reason } = lost.condition;
    throw new ConditionFailedError(typeof reason === 'string' ? reason : reason());
  }
  for (const step of steps) step.write?.();
}

/**
 * Runs a store call in one go, with no await inside: no other call interleaves, which is what DynamoDB's
 * conditional writes give the DynamoDB store. A throw becomes the returned promise's rejection.
 */
export function atomically<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}

/** DynamoDB sorts string keys by their UTF-8 bytes, which is not always JavaScript's UTF-16 order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
