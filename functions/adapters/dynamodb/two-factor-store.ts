import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError, ServiceUnavailableError, ValidationError } from '../../core/errors.js';
import { maxAttemptsPerChallenge } from '../../core/lockout.js';
import type {
  App,
  AppRuntime,
  AuditEvent,
  BackupCodeSet,
  Challenge,
  Device,
  DraftSettings,
  FailureCount,
  PendingEnrollment,
  Plan,
  PublishedConfig,
  Session,
  TotpFactor,
  TwoFactorMode,
  User,
  UserSummary,
} from '../../core/model.js';
import type { CountedOn, CurrentSession, DeviceCount, DeviceUse, Page, TwoFactorStore } from '../../core/ports.js';
import { type ItemKey, keys, usersIndexName } from './keys.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/** One write of a transaction, and the reason to report when its condition is what cancelled it. */
interface TransactStep {
  item: TransactItem;
  reason?: string;
}

/** The audit event an audit item holds (`null` for any other item), for listings and the table's stream. */
export function auditEventOf(item: Item | undefined): AuditEvent | null {
  if (!item || typeof item.pk !== 'string' || !item.pk.startsWith(keys.auditPartition(''))) return null;
  return {
    id: item.eventId as string,
    appId: item.appId as string,
    at: item.at as string,
    type: item.type as AuditEvent['type'],
    actorId: item.actorId as string,
    targetUserId: (item.targetUserId as string | undefined) ?? null,
    ...(item.detail ? { detail: item.detail as AuditEvent['detail'] } : {}),
  };
}

/** A count of wrong passwords is forgotten a day after its last failure (or lock), by the table's TTL. */
const passwordFailuresLifetimeSeconds = 24 * 60 * 60;

/**
 * Condition expressions, each closing a race. Nothing here is read-then-write: the condition is checked
 * by DynamoDB atomically with the write.
 */
const conditions = {
  /** First writer wins: an email claim, an app id, a config version, a confirmed factor. */
  isNew: 'attribute_not_exists(pk)',
  exists: 'attribute_exists(pk)',
  /**
   * RFC 6238 §5.2: a time step is accepted only when newer than every step already accepted, so two
   * requests carrying one code (or an older code after a newer one) cannot both pass.
   */
  stepIsNew: 'attribute_exists(pk) AND lastAcceptedStep < :step',
  /** An attempt on a challenge is reserved before its code is checked; never more than the limit. */
  challengeHasAttemptsLeft: 'attribute_exists(pk) AND failedAttempts < :maxAttempts',
  /**
   * A challenge is spent by deleting it; only a request that finds it alive may. Its own reserved attempt
   * is already counted, hence `<=`.
   */
  challengeLive: 'attribute_exists(pk) AND failedAttempts <= :maxAttempts',
  /** A 2FA reset bumps the generation; a verify that read the user before the reset must not win. */
  sameGeneration: 'attribute_exists(pk) AND generation = :generation',
  enrolledInGeneration: 'attribute_exists(pk) AND generation = :generation AND twoFactorEnabled = :true',
  /** A backup code is spent by removing its hash from the set it belongs to; only one request can. */
  backupCodeUnused: 'attribute_exists(#codes.#code) AND setId = :setId',
  /** Confirm only the pending secret the code was checked against, not one a newer start replaced. */
  pendingMatches: 'attribute_exists(pk) AND enrollmentId = :enrollmentId AND failedAttempts < :maxAttempts',
  /**
   * Of parallel confirmations with one code, only the first to claim its time step hashes backup codes and
   * commits; the step can only move forward, as a factor's accepted step does.
   */
  enrollmentStepIsNew:
    'attribute_exists(pk) AND enrollmentId = :enrollmentId AND failedAttempts < :maxAttempts AND (attribute_not_exists(claimedStep) OR claimedStep < :step)',
  enrollmentStepClaimed: 'enrollmentId = :enrollmentId AND claimedStep = :step',
  /**
   * Publishing takes the next version only if nobody else took it, so concurrent publishes never overwrite;
   * plan changes check the version too, so a publish and a downgrade are always ordered.
   */
  firstPublish: 'attribute_not_exists(publishedVersion)',
  nextPublish: 'publishedVersion = :previousVersion',
  /** A draft edit or publish checked the mode against this plan; a concurrent plan change must win. */
  planIs: '#plan = :seenPlan',
  /** A plan change lowered (or kept) the draft it read; an edit in between must make it read again. */
  draftModeIs: '#mode = :seenMode',
  rememberDaysAre: 'rememberDeviceDays = :seenDays',
  /** Drafts written before devices could be remembered have no such attribute: it means 0. */
  noRememberDays: '(attribute_not_exists(rememberDeviceDays) OR rememberDeviceDays = :seenDays)',
  /**
   * A known device is used (a session issued to it, its token rotated, it remembered) only while it is of the
   * user's current device generation: "sign out everywhere" or forgetting it must win over a login in flight.
   */
  deviceLive: 'attribute_exists(pk) AND generation = :deviceGeneration',
  /**
   * Reserving an attempt (a second-factor code, a password) moves the failure count from the value the
   * request read; when two requests race, only one moves it, so every checked secret is counted and the
   * lockout cannot be outrun.
   */
  failuresAre: '#failedAttempts = :seenFailures',
} as const;

/** The DynamoDB single-table implementation of the store port. */
export class DynamoTwoFactorStore implements TwoFactorStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getAppRuntime(appId: string): Promise<AppRuntime | null> {
    const item = await this.get(keys.app(appId));
    if (!item) return null;
    const publishedConfig: PublishedConfig | null =
      typeof item.publishedVersion === 'number'
        ? {
            version: item.publishedVersion,
            mode: item.publishedMode as TwoFactorMode,
            rememberDeviceDays: (item.publishedRememberDeviceDays as number | undefined) ?? 0,
            publishedAt: item.publishedAt as string,
          }
        : null;
    return {
      id: item.appId as string,
      name: item.name as string,
      plan: item.plan as Plan,
      createdAt: item.createdAt as string,
      dataKeyId: item.dataKeyId as string,
      allowedOrigins: (item.allowedOrigins as string[] | undefined) ?? [],
      publishedConfig,
    };
  }

  async getDraftSettings(appId: string): Promise<DraftSettings | null> {
    const item = await this.get(keys.draftSettings(appId));
    return item
      ? {
          mode: item.mode as TwoFactorMode,
          rememberDeviceDays: (item.rememberDeviceDays as number | undefined) ?? 0,
          updatedAt: item.updatedAt as string,
        }
      : null;
  }

  async createApp(input: {
    app: App;
    draft: DraftSettings;
    wrappedDataKey: string;
    admin: User;
    publishedConfig: PublishedConfig | null;
    audit: AuditEvent;
  }): Promise<void> {
    const { app, publishedConfig } = input;
    const steps: TransactStep[] = [
      {
        item: this.put(
          {
            ...keys.app(app.id),
            appId: app.id,
            name: app.name,
            plan: app.plan,
            createdAt: app.createdAt,
            dataKeyId: app.dataKeyId,
            allowedOrigins: app.allowedOrigins,
            ...publishedFields(publishedConfig),
          },
          conditions.isNew,
        ),
        reason: 'app_exists',
      },
      { item: this.put({ ...keys.draftSettings(app.id), ...input.draft }) },
      {
        item: this.put(
          { ...keys.dataKey(app.id, app.dataKeyId), wrappedKey: input.wrappedDataKey, createdAt: app.createdAt },
          conditions.isNew,
        ),
        reason: 'app_exists',
      },
      ...this.userCreation(input.admin),
      { item: this.put(this.auditItem(input.audit)) },
    ];
    if (publishedConfig) steps.push({ item: this.put(configVersionItem(app.id, publishedConfig), conditions.isNew), reason: 'app_exists' });
    await this.transact(steps);
  }

  async putDraftSettings(appId: string, plan: Plan, draft: DraftSettings, audit: AuditEvent): Promise<void> {
    await this.transact([
      {
        item: this.conditionCheck(
          keys.app(appId),
          `attribute_exists(pk) AND ${conditions.planIs}`,
          { ':seenPlan': plan },
          { '#plan': 'plan' },
        ),
        reason: 'plan_changed',
      },
      { item: this.put({ ...keys.draftSettings(appId), ...draft }) },
      { item: this.put(this.auditItem(audit)) },
    ]);
  }

  async publishConfig(appId: string, plan: Plan, config: PublishedConfig, audit: AuditEvent): Promise<void> {
    await this.transact(
      [
        { item: this.appUpdate(appId, { publish: config, seenVersion: config.version - 1, seenPlan: plan }), reason: 'version_conflict' },
        { item: this.put(configVersionItem(appId, config), conditions.isNew), reason: 'version_conflict' },
        { item: this.put(this.auditItem(audit)) },
      ],
      // Concurrent publishes collide on the app item; the caller re-reads and takes the next version.
      { persistentConflict: 'version_conflict' },
    );
  }

  async changePlan(input: {
    appId: string;
    plan: Plan;
    seen: { publishedVersion: number | null; draft: { mode: TwoFactorMode; rememberDeviceDays: number } };
    draft: DraftSettings | null;
    publish: PublishedConfig | null;
    audit: AuditEvent;
  }): Promise<void> {
    const { appId, publish, seen } = input;
    const draftKey = keys.draftSettings(appId);
    const draftNames = { '#mode': 'mode' };
    const seenDraft = { ':seenMode': seen.draft.mode, ':seenDays': seen.draft.rememberDeviceDays };
    const draftIsAsSeen = `${conditions.draftModeIs} AND ${seen.draft.rememberDeviceDays === 0 ? conditions.noRememberDays : conditions.rememberDaysAre}`;
    const steps: TransactStep[] = [
      { item: this.appUpdate(appId, { plan: input.plan, publish, seenVersion: seen.publishedVersion ?? 0 }), reason: 'plan_race' },
      {
        item: input.draft
          ? this.update(
              draftKey,
              'SET #mode = :mode, rememberDeviceDays = :days, updatedAt = :updatedAt',
              draftNames,
              { ':mode': input.draft.mode, ':days': input.draft.rememberDeviceDays, ':updatedAt': input.draft.updatedAt, ...seenDraft },
              draftIsAsSeen,
            )
          : this.conditionCheck(draftKey, draftIsAsSeen, pickUsed(seenDraft, draftIsAsSeen), draftNames),
        reason: 'plan_race',
      },
      { item: this.put(this.auditItem(input.audit)) },
    ];
    if (publish) steps.push({ item: this.put(configVersionItem(appId, publish), conditions.isNew), reason: 'plan_race' });
    await this.transact(steps);
  }

  async setAllowedOrigins(appId: string, allowedOrigins: string[], audit: AuditEvent): Promise<void> {
    await this.transact([
      {
        item: this.update(keys.app(appId), 'SET allowedOrigins = :origins', undefined, { ':origins': allowedOrigins }, conditions.exists),
        reason: 'app_gone',
      },
      { item: this.put(this.auditItem(audit)) },
    ]);
  }

  async getWrappedDataKey(appId: string, keyId: string): Promise<string | null> {
    const item = await this.get(keys.dataKey(appId, keyId));
    return item ? (item.wrappedKey as string) : null;
  }

  async createUser(user: User, start: { session: Session; device: Device } | { challenge: Challenge }): Promise<void> {
    await this.transact([
      ...this.userCreation(user),
      ...('session' in start
        ? [{ item: this.put(sessionItem(start.session)) }, ...this.deviceUse({ kind: 'new', device: start.device })]
        : [{ item: this.put(challengeItem(start.challenge)) }]),
    ]);
  }

  async findUserByEmail(appId: string, email: string): Promise<User | null> {
    const claim = await this.get(keys.emailClaim(appId, email));
    // An unknown email still reads a profile, so both answers cost the same two reads.
    return this.getUser(claim ? (claim.userId as string) : 'usr_none');
  }

  async getUser(userId: string): Promise<User | null> {
    const item = await this.get(keys.user(userId));
    if (!item) return null;
    return {
      id: item.userId as string,
      appId: item.appId as string,
      email: item.email as string,
      role: item.role as User['role'],
      createdAt: item.createdAt as string,
      passwordHash: item.passwordHash as string,
      generation: item.generation as number,
      deviceGeneration: (item.deviceGeneration as number | undefined) ?? 0,
      rememberGeneration: (item.rememberGeneration as number | undefined) ?? 0,
      twoFactorEnabled: item.twoFactorEnabled === true,
      twoFactorEnabledAt: (item.twoFactorEnabledAt as string | undefined) ?? null,
    };
  }

  async listUsers(appId: string, limit: number, cursor: string | null): Promise<Page<UserSummary>> {
    const start = cursor === null ? undefined : decodeCursor(cursor, /^\d{4}-\d\d-\d\dT[\d:.]+Z#usr_[\w-]{22}$/);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: usersIndexName,
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': keys.usersIndexPartition(appId) },
        Limit: limit,
        ...(start
          ? {
              ExclusiveStartKey: {
                ...keys.user(start.slice(start.indexOf('#') + 1)),
                gsi1pk: keys.usersIndexPartition(appId),
                gsi1sk: start,
              },
            }
          : {}),
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => ({
        id: item.userId as string,
        email: item.email as string,
        role: item.role as User['role'],
        createdAt: item.createdAt as string,
        twoFactorSetupComplete: item.twoFactorEnabled === true,
      })),
      nextCursor: result.LastEvaluatedKey ? encodeCursor(result.LastEvaluatedKey.gsi1sk as string) : null,
    };
  }

  async issueSession(session: Session, device: DeviceUse): Promise<void> {
    await this.transact([{ item: this.put(sessionItem(session)) }, ...this.deviceUse(device)]);
  }

  async getSession(tokenHash: string): Promise<Session | null> {
    const item = await this.get(keys.session(tokenHash));
    if (!item) return null;
    return {
      tokenHash,
      appId: item.appId as string,
      userId: item.userId as string,
      generation: item.generation as number,
      assurance: item.assurance as Session['assurance'],
      deviceId: (item.deviceId as string | undefined) ?? null,
      secondFactorAt: (item.secondFactorAt as number | undefined) ?? null,
      createdAt: item.createdAt as string,
      expiresAt: item.expiresAt as number,
    };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.session(tokenHash) }));
  }

  async putChallenge(challenge: Challenge): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: challengeItem(challenge) }));
  }

  async getChallenge(tokenHash: string): Promise<Challenge | null> {
    const item = await this.get(keys.challenge(tokenHash));
    if (!item) return null;
    return {
      tokenHash,
      appId: item.appId as string,
      userId: item.userId as string,
      generation: item.generation as number,
      purpose: item.purpose as Challenge['purpose'],
      deviceId: (item.deviceId as string | undefined) ?? null,
      failedAttempts: item.failedAttempts as number,
      createdAt: item.createdAt as string,
      expiresAt: item.expiresAt as number,
    };
  }

  async reserveChallengeAttempt(tokenHash: string, maxAttempts: number): Promise<number> {
    return this.increment(
      keys.challenge(tokenHash),
      conditions.challengeHasAttemptsLeft,
      { ':maxAttempts': maxAttempts },
      'challenge_spent',
    );
  }

  async releaseChallengeAttempt(tokenHash: string): Promise<void> {
    try {
      await this.withConflictRetries(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.challenge(tokenHash),
            UpdateExpression: 'ADD failedAttempts :minusOne',
            ConditionExpression: 'attribute_exists(pk) AND failedAttempts > :zero',
            ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  async getDevice(userId: string, deviceId: string): Promise<Device | null> {
    return deviceOf(await this.get(keys.device(userId, deviceId)));
  }

  async listDevices(userId: string): Promise<Device[]> {
    const devices: Device[] = [];
    let start: Item | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :partition AND begins_with(sk, :devices)',
          ExpressionAttributeValues: { ':partition': keys.user(userId).pk, ':devices': keys.devicePrefix() },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of result.Items ?? []) {
        const device = deviceOf(item);
        if (device) devices.push(device);
      }
      start = result.LastEvaluatedKey;
    } while (start);
    return devices;
  }

  async forgetDevice(user: User, deviceId: string, audit: AuditEvent): Promise<boolean> {
    try {
      await this.transact([
        {
          item: this.delete(keys.device(user.id, deviceId), conditions.deviceLive, { ':deviceGeneration': user.deviceGeneration }),
          reason: 'device_changed',
        },
        { item: this.put(this.auditItem(audit)) },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }

  async moveDeviceFailures(userId: string, deviceId: string, count: DeviceCount, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return this.moveFailureCount(keys.device(userId, deviceId), seen, next, { mustExist: true, attributes: deviceCountAttributes[count] });
  }

  async signOutEverywhere(user: User, audit: AuditEvent): Promise<void> {
    await this.transact([
      {
        item: this.update(
          keys.user(user.id),
          'ADD generation :one, deviceGeneration :one',
          undefined,
          { ':one': 1, ':generation': user.generation },
          conditions.sameGeneration,
        ),
        reason: 'user_changed',
      },
      { item: this.put(this.auditItem(audit)) },
    ]);
  }

  async unlockUser(user: User, devices: readonly Device[], audit: AuditEvent): Promise<void> {
    const factor = await this.get(keys.totpFactor(user.id));
    await this.transact([
      { item: this.conditionCheck(keys.user(user.id), conditions.exists), reason: 'user_gone' },
      ...this.lockoutsEnded(user, devices),
      ...(factor ? this.accountFailuresCleared(user, { kind: 'account' }) : []),
      { item: this.put(this.auditItem(audit)) },
    ]);
  }

  async stepUp(input: {
    user: User;
    session: Session;
    secondFactorAt: number;
    proof: { step: number } | { setId: string; codeHash: string };
    countedOn: CountedOn;
    audit: AuditEvent | null;
  }): Promise<void> {
    const { user, proof } = input;
    await this.transact([
      { item: this.userIsEnrolled(user), reason: 'user_changed' },
      ...('step' in proof
        ? [{ item: this.acceptStep(user.id, proof.step, input.countedOn), reason: 'step_used' }]
        : [
            { item: this.spendBackupCode(user.id, proof.setId, proof.codeHash), reason: 'backup_code_used' },
            ...this.accountFailuresCleared(user, input.countedOn),
          ]),
      {
        item: this.update(
          keys.session(input.session.tokenHash),
          'SET secondFactorAt = :at, assurance = :twoFactor',
          undefined,
          { ':at': input.secondFactorAt, ':twoFactor': 'two_factor', ':generation': user.generation },
          conditions.sameGeneration,
        ),
        reason: 'user_changed',
      },
      ...(input.audit ? [{ item: this.put(this.auditItem(input.audit)) }] : []),
    ]);
  }

  async getTotpFactor(userId: string): Promise<TotpFactor | null> {
    const item = await this.get(keys.totpFactor(userId));
    if (!item) return null;
    return {
      userId,
      secret: item.secret as TotpFactor['secret'],
      enabledAt: item.enabledAt as string,
      lastAcceptedStep: item.lastAcceptedStep as number,
      failedAttempts: (item.failedAttempts as number | undefined) ?? 0,
      lockedUntil: (item.lockedUntil as number | undefined) ?? null,
    };
  }

  async getPendingEnrollment(userId: string): Promise<PendingEnrollment | null> {
    const item = await this.get(keys.pendingEnrollment(userId));
    if (!item) return null;
    return {
      userId,
      enrollmentId: item.enrollmentId as string,
      secret: item.secret as PendingEnrollment['secret'],
      failedAttempts: item.failedAttempts as number,
      expiresAt: item.expiresAt as number,
    };
  }

  async putPendingEnrollment(pending: PendingEnrollment): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.pendingEnrollment(pending.userId), ...pending } }));
  }

  async recordEnrollmentFailure(userId: string, enrollmentId: string, maxAttempts: number): Promise<number> {
    try {
      return await this.increment(
        keys.pendingEnrollment(userId),
        conditions.pendingMatches,
        { ':enrollmentId': enrollmentId, ':maxAttempts': maxAttempts },
        'enrollment_gone',
      );
    } catch (error) {
      if (error instanceof ConditionFailedError) return maxAttempts;
      throw error;
    }
  }

  async claimEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<'claimed' | 'step_used' | 'enrollment_gone'> {
    try {
      await this.withConflictRetries(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.pendingEnrollment(userId),
            UpdateExpression: 'SET claimedStep = :step',
            ConditionExpression: conditions.enrollmentStepIsNew,
            ExpressionAttributeValues: { ':enrollmentId': enrollmentId, ':maxAttempts': maxAttemptsPerChallenge, ':step': step },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      // The item as the condition found it (in DynamoDB's own JSON: the document client leaves errors alone).
      const current = (error as { Item?: { enrollmentId?: { S?: string }; failedAttempts?: { N?: string } } }).Item;
      const samePending = current?.enrollmentId?.S === enrollmentId && Number(current.failedAttempts?.N) < maxAttemptsPerChallenge;
      return samePending ? 'step_used' : 'enrollment_gone';
    }
  }

  async releaseEnrollmentStep(userId: string, enrollmentId: string, step: number): Promise<void> {
    try {
      await this.withConflictRetries(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.pendingEnrollment(userId),
            UpdateExpression: 'REMOVE claimedStep',
            ConditionExpression: conditions.enrollmentStepClaimed,
            ExpressionAttributeValues: { ':enrollmentId': enrollmentId, ':step': step },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  async getBackupCodeSet(userId: string): Promise<BackupCodeSet | null> {
    const item = await this.get(keys.backupCodes(userId));
    if (!item) return null;
    return {
      userId,
      setId: item.setId as string,
      salt: item.salt as string,
      remainingHashes: Object.keys((item.codes as Record<string, unknown> | undefined) ?? {}),
      createdAt: item.createdAt as string,
    };
  }

  async reserveSecondFactorAttempt(userId: string, seen: FailureCount, next: FailureCount): Promise<boolean> {
    return this.moveFailureCount(keys.totpFactor(userId), seen, next, { mustExist: true });
  }

  async getPasswordFailures(appId: string, email: string): Promise<FailureCount | null> {
    const item = await this.get(keys.passwordFailures(appId, email));
    if (!item) return null;
    return {
      failedAttempts: (item.failedAttempts as number | undefined) ?? 0,
      lockedUntil: (item.lockedUntil as number | undefined) ?? null,
    };
  }

  async movePasswordFailures(appId: string, email: string, seen: FailureCount, next: FailureCount): Promise<boolean> {
    const expiresAt = Math.ceil(Math.max(Date.now(), next.lockedUntil ?? 0) / 1000) + passwordFailuresLifetimeSeconds;
    return this.moveFailureCount(keys.passwordFailures(appId, email), seen, next, { mustExist: false, expiresAt });
  }

  async clearPasswordFailures(appId: string, email: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.passwordFailures(appId, email) }));
  }

  async recordLockout(audit: AuditEvent, endRemembering: boolean): Promise<void> {
    if (!endRemembering || !audit.targetUserId) {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: this.auditItem(audit), ConditionExpression: conditions.isNew }),
      );
      return;
    }
    await this.transact([
      { item: this.put(this.auditItem(audit), conditions.isNew), reason: 'audit_exists' },
      // Someone is guessing the second factor: no device skips it any more.
      {
        item: this.update(keys.user(audit.targetUserId), 'ADD rememberGeneration :one', undefined, { ':one': 1 }, conditions.exists),
        reason: 'user_gone',
      },
    ]);
  }

  /**
   * Moves a consecutive-failure count from `seen` to `next` in one conditional write; false when another
   * request moved it first. A count never written (or written by older code without one) reads as 0.
   */
  private async moveFailureCount(
    key: ItemKey,
    seen: FailureCount,
    next: FailureCount,
    options: { mustExist: boolean; expiresAt?: number; attributes?: CountAttributes },
  ): Promise<boolean> {
    const lockUnchanged = seen.lockedUntil === null ? 'attribute_not_exists(#lockedUntil)' : '#lockedUntil = :seenLock';
    const failuresUnchanged =
      seen.failedAttempts === 0 ? `(attribute_not_exists(#failedAttempts) OR ${conditions.failuresAre})` : conditions.failuresAre;
    const sets = [
      '#failedAttempts = :failures',
      ...(next.lockedUntil === null ? [] : ['#lockedUntil = :lock']),
      ...(options.expiresAt === undefined ? [] : ['expiresAt = :expiresAt']),
    ];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}${next.lockedUntil === null ? ' REMOVE #lockedUntil' : ''}`,
          ConditionExpression: `${options.mustExist ? 'attribute_exists(pk) AND ' : ''}${failuresUnchanged} AND ${lockUnchanged}`,
          ExpressionAttributeNames: options.attributes ?? accountCountAttributes,
          ExpressionAttributeValues: {
            ':seenFailures': seen.failedAttempts,
            ':failures': next.failedAttempts,
            ...(seen.lockedUntil === null ? {} : { ':seenLock': seen.lockedUntil }),
            ...(next.lockedUntil === null ? {} : { ':lock': next.lockedUntil }),
            ...(options.expiresAt === undefined ? {} : { ':expiresAt': options.expiresAt }),
          },
        }),
      );
      return true;
    } catch (error) {
      // Lost to another request, or collided with a transaction on the same item: the caller re-reads.
      if (isConditionalCheckFailure(error) || isTransactionConflict(error)) return false;
      throw error;
    }
  }

  async confirmEnrollment(input: {
    user: User;
    pending: PendingEnrollment;
    factor: TotpFactor;
    backupCodes: BackupCodeSet;
    audit: AuditEvent;
    start: { challenge: Challenge; session: Session; device: DeviceUse } | { current: CurrentSession };
  }): Promise<void> {
    const { user, factor, start } = input;
    const steps: TransactStep[] = [];
    if ('challenge' in start) steps.push({ item: this.spendChallenge(start.challenge), reason: 'challenge_spent' });
    steps.push(
      { item: this.put({ ...keys.totpFactor(user.id), ...factor, lockedUntil: undefined }, conditions.isNew), reason: 'already_enabled' },
      {
        item: this.delete(keys.pendingEnrollment(user.id), conditions.pendingMatches, {
          ':enrollmentId': input.pending.enrollmentId,
          ':maxAttempts': maxAttemptsPerChallenge,
        }),
        reason: 'enrollment_gone',
      },
      {
        // A new generation: every other session of the user ends (an attacker's, opened with the password
        // before the owner linked an authenticator, included).
        item: this.update(
          keys.user(user.id),
          'SET twoFactorEnabled = :true, twoFactorEnabledAt = :enabledAt, generation = :nextGeneration',
          undefined,
          {
            ':true': true,
            ':false': false,
            ':enabledAt': factor.enabledAt,
            ':generation': user.generation,
            ':nextGeneration': user.generation + 1,
          },
          'attribute_exists(pk) AND generation = :generation AND twoFactorEnabled = :false',
        ),
        reason: 'user_changed',
      },
      { item: this.put(backupCodesItem(input.backupCodes)) },
      { item: this.put(this.auditItem(input.audit)) },
    );
    if ('challenge' in start) steps.push({ item: this.put(sessionItem(start.session)) }, ...this.deviceUse(start.device));
    else steps.push(this.currentSessionGoesOn(user, start.current));
    await this.transact(steps);
  }

  async completeLoginWithTotp(input: {
    challenge: Challenge;
    user: User;
    step: number;
    session: Session;
    device: DeviceUse;
    countedOn: CountedOn;
    audits: AuditEvent[];
  }): Promise<void> {
    await this.transact([
      { item: this.spendChallenge(input.challenge), reason: 'challenge_spent' },
      { item: this.userIsEnrolled(input.user), reason: 'user_changed' },
      { item: this.acceptStep(input.user.id, input.step, input.countedOn), reason: 'step_used' },
      { item: this.put(sessionItem(input.session)) },
      ...this.deviceUse(input.device),
      ...input.audits.map((audit) => ({ item: this.put(this.auditItem(audit)) })),
    ]);
  }

  async completeLoginWithBackupCode(input: {
    challenge: Challenge;
    user: User;
    setId: string;
    codeHash: string;
    session: Session;
    device: DeviceUse;
    countedOn: CountedOn;
    audits: AuditEvent[];
  }): Promise<number | null> {
    const { user } = input;
    await this.transact([
      { item: this.spendChallenge(input.challenge), reason: 'challenge_spent' },
      { item: this.userIsEnrolled(user), reason: 'user_changed' },
      { item: this.spendBackupCode(user.id, input.setId, input.codeHash), reason: 'backup_code_used' },
      ...this.accountFailuresCleared(user, input.countedOn),
      { item: this.put(sessionItem(input.session)) },
      ...this.deviceUse(input.device),
      ...input.audits.map((audit) => ({ item: this.put(this.auditItem(audit)) })),
    ]);
    // The login is committed: failing to count the codes left must not turn it into a 503 whose session
    // nobody receives, with the challenge and the code already spent.
    const codeSet = await this.getBackupCodeSet(user.id).catch(() => undefined);
    return codeSet === undefined ? null : (codeSet?.remainingHashes.length ?? 0);
  }

  async replaceBackupCodes(input: {
    user: User;
    step: number;
    backupCodes: BackupCodeSet;
    audit: AuditEvent;
    current: CurrentSession;
    countedOn: CountedOn;
  }): Promise<void> {
    const { user } = input;
    await this.transact([
      {
        item: this.update(
          keys.user(user.id),
          'SET generation = :nextGeneration ADD rememberGeneration :one',
          undefined,
          { ':nextGeneration': user.generation + 1, ':one': 1, ':generation': user.generation, ':true': true },
          conditions.enrolledInGeneration,
        ),
        reason: 'not_enrolled',
      },
      { item: this.acceptStep(user.id, input.step, input.countedOn), reason: 'step_used' },
      { item: this.put(backupCodesItem(input.backupCodes)) },
      this.currentSessionGoesOn(user, input.current),
      { item: this.put(this.auditItem(input.audit)) },
    ]);
  }

  async disableTwoFactor(input: { user: User; step: number; audit: AuditEvent; current: CurrentSession }): Promise<void> {
    const { user } = input;
    await this.transact([
      {
        item: this.update(
          keys.user(user.id),
          'SET twoFactorEnabled = :false, generation = :nextGeneration ADD rememberGeneration :one REMOVE twoFactorEnabledAt',
          undefined,
          { ':true': true, ':false': false, ':one': 1, ':generation': user.generation, ':nextGeneration': user.generation + 1 },
          conditions.enrolledInGeneration,
        ),
        reason: 'not_enrolled',
      },
      // Deleting the factor under the step condition spends the step that proved the request.
      { item: this.delete(keys.totpFactor(user.id), conditions.stepIsNew, { ':step': input.step }), reason: 'step_used' },
      { item: this.delete(keys.backupCodes(user.id)) },
      this.currentSessionGoesOn(user, input.current),
      { item: this.put(this.auditItem(input.audit)) },
    ]);
  }

  async resetTwoFactor(input: { user: User; devices: readonly Device[]; audit: AuditEvent }): Promise<User> {
    const { user } = input;
    await this.transact([
      {
        item: this.update(
          keys.user(user.id),
          'SET twoFactorEnabled = :false ADD generation :one, rememberGeneration :one REMOVE twoFactorEnabledAt',
          undefined,
          { ':false': false, ':one': 1 },
          conditions.exists,
        ),
        reason: 'user_gone',
      },
      { item: this.delete(keys.totpFactor(user.id)) },
      { item: this.delete(keys.backupCodes(user.id)) },
      { item: this.delete(keys.pendingEnrollment(user.id)) },
      ...this.lockoutsEnded(user, input.devices),
      { item: this.put(this.auditItem(input.audit)) },
    ]);
    // The reset is committed: reading it back is only for the answer, so a failed read must not turn it
    // into a 503 (the admin would retry a reset that already happened).
    const updated = await this.getUser(user.id).catch(() => null);
    return updated ?? { ...user, twoFactorEnabled: false, twoFactorEnabledAt: null, generation: user.generation + 1 };
  }

  async listAuditEvents(appId: string, limit: number, cursor: string | null): Promise<Page<AuditEvent>> {
    const start = cursor === null ? undefined : decodeCursor(cursor, /^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f-]{36}$/);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :partition',
        ExpressionAttributeValues: { ':partition': keys.auditPartition(appId) },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: { pk: keys.auditPartition(appId), sk: start } } : {}),
      }),
    );
    return {
      items: (result.Items ?? []).flatMap((item) => auditEventOf(item) ?? []),
      nextCursor: result.LastEvaluatedKey ? encodeCursor(result.LastEvaluatedKey.sk as string) : null,
    };
  }

  private userCreation(user: User): TransactStep[] {
    return [
      {
        item: this.put({ ...keys.emailClaim(user.appId, user.email), userId: user.id, appId: user.appId }, conditions.isNew),
        reason: 'email_taken',
      },
      {
        item: this.put(
          {
            ...keys.user(user.id),
            ...keys.usersIndex(user.appId, user.createdAt, user.id),
            userId: user.id,
            appId: user.appId,
            email: user.email,
            role: user.role,
            createdAt: user.createdAt,
            passwordHash: user.passwordHash,
            generation: user.generation,
            deviceGeneration: user.deviceGeneration,
            rememberGeneration: user.rememberGeneration,
            twoFactorEnabled: user.twoFactorEnabled,
          },
          conditions.isNew,
        ),
        reason: 'user_exists',
      },
    ];
  }

  /**
   * The app item's update for a publish and/or a plan change, conditioned on the published version the
   * caller read (0: none yet) and, for a publish, on the plan it checked the mode against.
   */
  private appUpdate(
    appId: string,
    change: { plan?: Plan; publish?: PublishedConfig | null; seenVersion: number; seenPlan?: Plan },
  ): TransactItem {
    const sets: string[] = [];
    const names: Record<string, string> = {};
    const values: Item = {};
    const checks = ['attribute_exists(pk)', change.seenVersion === 0 ? conditions.firstPublish : conditions.nextPublish];
    if (change.seenVersion !== 0) values[':previousVersion'] = change.seenVersion;
    if (change.publish) {
      sets.push(
        'publishedVersion = :version',
        'publishedMode = :publishedMode',
        'publishedRememberDeviceDays = :publishedDays',
        'publishedAt = :publishedAt',
      );
      Object.assign(values, {
        ':version': change.publish.version,
        ':publishedMode': change.publish.mode,
        ':publishedDays': change.publish.rememberDeviceDays,
        ':publishedAt': change.publish.publishedAt,
      });
    }
    if (change.plan) {
      sets.push('#plan = :plan');
      names['#plan'] = 'plan';
      values[':plan'] = change.plan;
    }
    if (change.seenPlan) {
      checks.push(conditions.planIs);
      names['#plan'] = 'plan';
      values[':seenPlan'] = change.seenPlan;
    }
    return this.update(keys.app(appId), `SET ${sets.join(', ')}`, names, values, checks.join(' AND '));
  }

  /** The writes that issue a session to a device: register a new one, or record the use of a known one. */
  private deviceUse(use: DeviceUse): TransactStep[] {
    const { device } = use;
    if (use.kind === 'new') return [{ item: this.put(deviceItem(device), conditions.isNew), reason: 'device_changed' }];
    const cleared = use.clear.map((count) => `${deviceCountAttributes[count]['#failedAttempts']} = :zero`);
    const removed = use.clear.map((count) => deviceCountAttributes[count]['#lockedUntil']);
    // Remembering is only ever set here, never removed: it ends through the user's remember generation, so a
    // use that read the device before it was remembered cannot undo that.
    const remembered = device.rememberedUntil !== null && device.rememberedAt !== null;
    const sets = [
      'tokenHash = :tokenHash',
      'lastUsedAt = :lastUsedAt',
      ...(remembered
        ? ['rememberedAt = :rememberedAt', 'rememberedUntil = :rememberedUntil', 'rememberGeneration = :rememberGeneration']
        : []),
      ...cleared,
    ];
    const removes = removed;
    return [
      {
        item: this.update(
          keys.device(device.userId, device.id),
          `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          undefined,
          {
            ':tokenHash': device.tokenHash,
            ':lastUsedAt': device.lastUsedAt,
            ':rememberGeneration': device.rememberGeneration,
            ':rememberedAt': device.rememberedAt,
            ':rememberedUntil': device.rememberedUntil,
            ':zero': 0,
            ':deviceGeneration': device.generation,
          },
          conditions.deviceLive,
        ),
        reason: 'device_changed',
      },
    ];
  }

  /**
   * The session that made a change which ends every other session of the user goes on under the user's new
   * generation (and, when the change proved a second factor, records it for step-up).
   */
  private currentSessionGoesOn(user: User, current: CurrentSession): TransactStep {
    const proved = current.secondFactorAt !== undefined;
    return {
      item: this.update(
        keys.session(current.session.tokenHash),
        `SET generation = :nextGeneration${proved ? ', secondFactorAt = :at' : ''}`,
        undefined,
        { ':nextGeneration': user.generation + 1, ':at': current.secondFactorAt, ':generation': user.generation },
        conditions.sameGeneration,
      ),
      reason: 'user_changed',
    };
  }

  /** Ends the lockouts of a user: the count of its email (unknown clients) and those of its devices. */
  private lockoutsEnded(user: User, devices: readonly Device[]): TransactStep[] {
    // A transaction holds at most 100 writes; a user with more devices than fit keeps the oldest counts.
    const newestFirst = [...devices].sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt)).slice(0, maxDevicesPerUnlock);
    return [
      { item: this.delete(keys.passwordFailures(user.appId, user.email)) },
      ...newestFirst.map((device) => ({
        item: this.update(
          keys.device(user.id, device.id),
          'SET pwFailedAttempts = :zero, sfFailedAttempts = :zero REMOVE pwLockedUntil, sfLockedUntil',
          undefined,
          { ':zero': 0 },
          conditions.exists,
        ),
        reason: 'device_changed',
      })),
    ];
  }

  /** A success counted on the account clears the account's second-factor failures (one on a device leaves them). */
  private accountFailuresCleared(user: User, countedOn: CountedOn): TransactStep[] {
    if (countedOn.kind !== 'account') return [];
    return [
      {
        item: this.update(
          keys.totpFactor(user.id),
          'SET failedAttempts = :zero REMOVE lockedUntil',
          undefined,
          { ':zero': 0 },
          conditions.exists,
        ),
        reason: 'user_changed',
      },
    ];
  }

  private spendBackupCode(userId: string, setId: string, codeHash: string): TransactItem {
    return this.update(
      keys.backupCodes(userId),
      'REMOVE #codes.#code',
      { '#codes': 'codes', '#code': codeHash },
      { ':setId': setId },
      conditions.backupCodeUnused,
    );
  }

  private spendChallenge(challenge: Challenge): TransactItem {
    return this.delete(keys.challenge(challenge.tokenHash), conditions.challengeLive, { ':maxAttempts': maxAttemptsPerChallenge });
  }

  private userIsEnrolled(user: User): TransactItem {
    return this.conditionCheck(keys.user(user.id), conditions.enrolledInGeneration, { ':generation': user.generation, ':true': true });
  }

  /**
   * Spends `step`; a success counted on the account also clears the account's consecutive-failure count and
   * lockout (one counted on a known device leaves the account's count, which unknown clients run up, alone).
   */
  private acceptStep(userId: string, step: number, countedOn: CountedOn): TransactItem {
    return this.update(
      keys.totpFactor(userId),
      countedOn.kind === 'account'
        ? 'SET lastAcceptedStep = :step, failedAttempts = :zero REMOVE lockedUntil'
        : 'SET lastAcceptedStep = :step',
      undefined,
      { ':step': step, ':zero': 0 },
      conditions.stepIsNew,
    );
  }

  private auditItem(event: AuditEvent): Item {
    return {
      ...keys.auditEvent(event.appId, event.at, event.id),
      eventId: event.id,
      appId: event.appId,
      at: event.at,
      type: event.type,
      actorId: event.actorId,
      targetUserId: event.targetUserId ?? undefined,
      detail: event.detail,
    };
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  /** Atomically adds one to `failedAttempts` under `condition` and returns the new count. */
  private async increment(key: { pk: string; sk: string }, condition: string, values: Item, reason: string): Promise<number> {
    try {
      const result = await this.withConflictRetries(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD failedAttempts :one',
            ConditionExpression: condition,
            ExpressionAttributeValues: { ':one': 1, ...values },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return result.Attributes?.failedAttempts as number;
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw new ConditionFailedError(reason, { cause: error });
      throw error;
    }
  }

  private put(item: Item, condition?: string): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ...(condition ? { ConditionExpression: condition } : {}) } };
  }

  private delete(key: { pk: string; sk: string }, condition?: string, values?: Item): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: key,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  private update(
    key: { pk: string; sk: string },
    expression: string,
    names?: Record<string, string>,
    values?: Item,
    condition?: string,
  ): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: expression,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: pickUsed(values, expression, condition) } : {}),
        ...(condition ? { ConditionExpression: condition } : {}),
      },
    };
  }

  private conditionCheck(key: { pk: string; sk: string }, condition: string, values?: Item, names?: Record<string, string>): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: condition,
        ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ...(names ? { ExpressionAttributeNames: names } : {}),
      },
    };
  }

  /**
   * Runs the steps as one transaction. A step whose condition failed becomes a `ConditionFailedError` with
   * that step's reason; a cancellation caused only by conflicts with concurrent transactions (no condition
   * failed) is tried again, since nothing was decided yet. When such conflicts persist, the write answers
   * 503, or, for a caller that re-reads and retries anyway, the lost race `persistentConflict` names.
   */
  private async transact(steps: TransactStep[], options: { persistentConflict?: string } = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: steps.map((step) => step.item) }));
        return;
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
        const codes = ((error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
          (reason) => reason.Code ?? 'None',
        );
        const lost = steps.find((step, index) => step.reason !== undefined && codes[index] === 'ConditionalCheckFailed');
        if (lost?.reason !== undefined) throw new ConditionFailedError(lost.reason, { cause: error });
        if (codes.some((code) => throttledReasons.has(code))) throw new ServiceUnavailableError({ cause: error });
        if (!codes.includes('TransactionConflict')) throw error;
        if (attempt < maxConflictRetries) {
          await conflictBackoff(attempt);
          continue;
        }
        if (options.persistentConflict) throw new ConditionFailedError(options.persistentConflict, { cause: error });
        throw new ServiceUnavailableError({ cause: error });
      }
    }
  }

  /**
   * A single-item write that collides with a transaction in progress on its item fails with
   * TransactionConflictException, which the SDK does not retry; nothing was written, so try again.
   */
  private async withConflictRetries<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!isTransactionConflict(error)) throw error;
        if (attempt >= maxConflictRetries) throw new ServiceUnavailableError({ cause: error });
        await conflictBackoff(attempt);
      }
    }
  }
}

const throttledReasons = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

function conflictBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, attempt * (10 + Math.random() * 30)));
}

function isTransactionConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionConflictException';
}

/** Tries of a transaction that only conflicted with others before it answers 503. */
const maxConflictRetries = 5;

function publishedFields(config: PublishedConfig | null): Item {
  return config
    ? {
        publishedVersion: config.version,
        publishedMode: config.mode,
        publishedRememberDeviceDays: config.rememberDeviceDays,
        publishedAt: config.publishedAt,
      }
    : {};
}

function configVersionItem(appId: string, config: PublishedConfig): Item {
  return {
    ...keys.configVersion(appId, config.version),
    appId,
    version: config.version,
    twoFactorMode: config.mode,
    rememberDeviceDays: config.rememberDeviceDays,
    publishedAt: config.publishedAt,
  };
}

/** The attribute names of a failure count, for `moveFailureCount`'s expressions. */
type CountAttributes = { '#failedAttempts': string; '#lockedUntil': string };
const accountCountAttributes: CountAttributes = { '#failedAttempts': 'failedAttempts', '#lockedUntil': 'lockedUntil' };
const deviceCountAttributes: Record<DeviceCount, CountAttributes> = {
  passwordFailures: { '#failedAttempts': 'pwFailedAttempts', '#lockedUntil': 'pwLockedUntil' },
  secondFactorFailures: { '#failedAttempts': 'sfFailedAttempts', '#lockedUntil': 'sfLockedUntil' },
};

/** Writes besides the devices' in an unlock or reset stay far below a transaction's 100. */
const maxDevicesPerUnlock = 80;

function deviceItem(device: Device): Item {
  return {
    ...keys.device(device.userId, device.id),
    deviceId: device.id,
    appId: device.appId,
    userId: device.userId,
    tokenHash: device.tokenHash,
    generation: device.generation,
    createdAt: device.createdAt,
    lastUsedAt: device.lastUsedAt,
    expiresAt: device.expiresAt,
    rememberedAt: device.rememberedAt ?? undefined,
    rememberedUntil: device.rememberedUntil ?? undefined,
    rememberGeneration: device.rememberGeneration,
    pwFailedAttempts: device.passwordFailures.failedAttempts,
    pwLockedUntil: device.passwordFailures.lockedUntil ?? undefined,
    sfFailedAttempts: device.secondFactorFailures.failedAttempts,
    sfLockedUntil: device.secondFactorFailures.lockedUntil ?? undefined,
  };
}

function deviceOf(item: Item | undefined): Device | null {
  if (!item || typeof item.deviceId !== 'string') return null;
  const count = (failures: unknown, lock: unknown): FailureCount => ({
    failedAttempts: typeof failures === 'number' ? failures : 0,
    lockedUntil: typeof lock === 'number' ? lock : null,
  });
  return {
    id: item.deviceId,
    appId: item.appId as string,
    userId: item.userId as string,
    tokenHash: item.tokenHash as string,
    generation: item.generation as number,
    createdAt: item.createdAt as string,
    lastUsedAt: item.lastUsedAt as string,
    expiresAt: item.expiresAt as number,
    rememberedAt: (item.rememberedAt as number | undefined) ?? null,
    rememberedUntil: (item.rememberedUntil as number | undefined) ?? null,
    rememberGeneration: (item.rememberGeneration as number | undefined) ?? 0,
    passwordFailures: count(item.pwFailedAttempts, item.pwLockedUntil),
    secondFactorFailures: count(item.sfFailedAttempts, item.sfLockedUntil),
  };
}

function sessionItem(session: Session): Item {
  return { ...keys.session(session.tokenHash), ...session, tokenHash: undefined };
}

function challengeItem(challenge: Challenge): Item {
  return { ...keys.challenge(challenge.tokenHash), ...challenge, tokenHash: undefined };
}

function backupCodesItem(set: BackupCodeSet): Item {
  return {
    ...keys.backupCodes(set.userId),
    setId: set.setId,
    salt: set.salt,
    createdAt: set.createdAt,
    codes: Object.fromEntries(set.remainingHashes.map((hash) => [hash, true])),
  };
}

/** DynamoDB rejects unused expression values, so keep only those the expressions mention. */
function pickUsed(values: Item, ...expressions: (string | undefined)[]): Item {
  const text = expressions.join(' ');
  return Object.fromEntries(Object.entries(values).filter(([name]) => new RegExp(`${name}\\b`).test(text)));
}

function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Cursors are opaque to clients: the last sort key, base64url-encoded, checked on the way back in. */
function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, shape: RegExp): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(sortKey)) throw new ValidationError([{ path: 'cursor', message: 'Not a cursor this listing returned.' }]);
  return sortKey;
}
