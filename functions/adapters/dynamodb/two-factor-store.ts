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
import { ConditionFailedError, ValidationError } from '../../core/errors.js';
import type {
  App,
  AppRuntime,
  AuditEvent,
  BackupCodeSet,
  Challenge,
  DraftSettings,
  PendingEnrollment,
  Plan,
  PublishedConfig,
  Session,
  TotpFactor,
  TwoFactorMode,
  User,
  UserSummary,
} from '../../core/model.js';
import type { Page, TwoFactorStore } from '../../core/ports.js';
import { keys, usersIndexName } from './keys.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/** One write of a transaction, and the reason to report when its condition is what cancelled it. */
interface TransactStep {
  item: TransactItem;
  reason?: string;
}

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
  /** A challenge is spent by deleting it; only a request that finds it alive and not exhausted may. */
  challengeLive: 'attribute_exists(pk) AND failedAttempts < :maxAttempts',
  /** A 2FA reset bumps the generation; a verify that read the user before the reset must not win. */
  sameGeneration: 'attribute_exists(pk) AND generation = :generation',
  enrolledInGeneration: 'attribute_exists(pk) AND generation = :generation AND twoFactorEnabled = :true',
  /** A backup code is spent by removing its hash from the set it belongs to; only one request can. */
  backupCodeUnused: 'attribute_exists(#codes.#code) AND setId = :setId',
  /** Confirm only the pending secret the code was checked against, not one a newer start replaced. */
  pendingMatches: 'attribute_exists(pk) AND enrollmentId = :enrollmentId AND failedAttempts < :maxAttempts',
  /** Publishing takes the next version only if nobody else took it: concurrent publishes never overwrite. */
  firstPublish: 'attribute_exists(pk) AND attribute_not_exists(publishedVersion)',
  nextPublish: 'attribute_exists(pk) AND publishedVersion = :previousVersion',
} as const;

/** Attempts a challenge survives; mirrors the use cases' limit, so the store can refuse on its own too. */
const maxChallengeAttempts = 5;

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
        ? { version: item.publishedVersion, mode: item.publishedMode as TwoFactorMode, publishedAt: item.publishedAt as string }
        : null;
    return {
      id: item.appId as string,
      name: item.name as string,
      plan: item.plan as Plan,
      createdAt: item.createdAt as string,
      dataKeyId: item.dataKeyId as string,
      publishedConfig,
    };
  }

  async getDraftSettings(appId: string): Promise<DraftSettings | null> {
    const item = await this.get(keys.draftSettings(appId));
    return item ? { mode: item.mode as TwoFactorMode, updatedAt: item.updatedAt as string } : null;
  }

  async createApp(input: { app: App; draft: DraftSettings; wrappedDataKey: string; admin: User; publishedConfig: PublishedConfig | null; audit: AuditEvent }): Promise<void> {
    const { app, publishedConfig } = input;
    const steps: TransactStep[] = [
      {
        item: this.put({ ...keys.app(app.id), appId: app.id, name: app.name, plan: app.plan, createdAt: app.createdAt, dataKeyId: app.dataKeyId, ...publishedFields(publishedConfig) }, conditions.isNew),
        reason: 'app_exists',
      },
      { item: this.put({ ...keys.draftSettings(app.id), ...input.draft }) },
      { item: this.put({ ...keys.dataKey(app.id, app.dataKeyId), wrappedKey: input.wrappedDataKey, createdAt: app.createdAt }, conditions.isNew), reason: 'app_exists' },
      ...this.userCreation(input.admin),
      { item: this.put(this.auditItem(input.audit)) },
    ];
    if (publishedConfig) steps.push({ item: this.put(configVersionItem(app.id, publishedConfig), conditions.isNew), reason: 'app_exists' });
    await this.transact(steps);
  }

  async putDraftSettings(appId: string, draft: DraftSettings, audit: AuditEvent): Promise<void> {
    await this.transact([
      { item: this.conditionCheck(keys.app(appId), conditions.exists), reason: 'app_gone' },
      { item: this.put({ ...keys.draftSettings(appId), ...draft }) },
      { item: this.put(this.auditItem(audit)) },
    ]);
  }

  async publishConfig(appId: string, config: PublishedConfig, audit: AuditEvent): Promise<void> {
    await this.transact([
      { item: this.publishPointer(appId, config), reason: 'version_conflict' },
      { item: this.put(configVersionItem(appId, config), conditions.isNew), reason: 'version_conflict' },
      { item: this.put(this.auditItem(audit)) },
    ]);
  }

  async changePlan(input: { appId: string; plan: Plan; draftMode: TwoFactorMode | null; publish: PublishedConfig | null; audit: AuditEvent }): Promise<void> {
    const { appId, publish } = input;
    const steps: TransactStep[] = [];
    if (publish) {
      const pointer = this.publishPointer(appId, publish);
      const update = pointer.Update!;
      update.UpdateExpression += ', #plan = :plan';
      update.ExpressionAttributeNames = { ...update.ExpressionAttributeNames, '#plan': 'plan' };
      update.ExpressionAttributeValues = { ...update.ExpressionAttributeValues, ':plan': input.plan };
      steps.push({ item: pointer, reason: 'version_conflict' });
      steps.push({ item: this.put(configVersionItem(appId, publish), conditions.isNew), reason: 'version_conflict' });
    } else {
      steps.push({
        item: this.update(keys.app(appId), 'SET #plan = :plan', { '#plan': 'plan' }, { ':plan': input.plan }, conditions.exists),
        reason: 'app_gone',
      });
    }
    if (input.draftMode) {
      steps.push({ item: this.update(keys.draftSettings(appId), 'SET #mode = :mode', { '#mode': 'mode' }, { ':mode': input.draftMode }) });
    }
    steps.push({ item: this.put(this.auditItem(input.audit)) });
    await this.transact(steps);
  }

  async getWrappedDataKey(appId: string, keyId: string): Promise<string | null> {
    const item = await this.get(keys.dataKey(appId, keyId));
    return item ? (item.wrappedKey as string) : null;
  }

  async createUser(user: User, start: { session: Session } | { challenge: Challenge }): Promise<void> {
    await this.transact([
      ...this.userCreation(user),
      { item: this.put('session' in start ? sessionItem(start.session) : challengeItem(start.challenge)) },
    ]);
  }

  async findUserByEmail(appId: string, email: string): Promise<User | null> {
    const claim = await this.get(keys.emailClaim(appId, email));
    return claim ? this.getUser(claim.userId as string) : null;
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
          ? { ExclusiveStartKey: { ...keys.user(start.slice(start.indexOf('#') + 1)), gsi1pk: keys.usersIndexPartition(appId), gsi1sk: start } }
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

  async putSession(session: Session): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: sessionItem(session) }));
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
      failedAttempts: item.failedAttempts as number,
      createdAt: item.createdAt as string,
      expiresAt: item.expiresAt as number,
    };
  }

  async recordChallengeFailure(tokenHash: string, maxAttempts: number): Promise<number> {
    return this.increment(keys.challenge(tokenHash), conditions.challengeLive, { ':maxAttempts': maxAttempts }, 'challenge_spent');
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

  async recordSecondFactorFailure(userId: string): Promise<number> {
    try {
      return await this.increment(keys.totpFactor(userId), conditions.exists, {}, 'not_enrolled');
    } catch (error) {
      if (error instanceof ConditionFailedError) return 0;
      throw error;
    }
  }

  async lockSecondFactor(userId: string, untilMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.totpFactor(userId),
          UpdateExpression: 'SET lockedUntil = :until',
          ConditionExpression: conditions.exists,
          ExpressionAttributeValues: { ':until': untilMs },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  async confirmEnrollment(input: {
    user: User;
    pending: PendingEnrollment;
    factor: TotpFactor;
    backupCodes: BackupCodeSet;
    audit: AuditEvent;
    challenge: Challenge | null;
    session: Session | null;
  }): Promise<void> {
    const { user, factor } = input;
    const steps: TransactStep[] = [];
    if (input.challenge) steps.push({ item: this.spendChallenge(input.challenge), reason: 'challenge_spent' });
    steps.push(
      { item: this.put({ ...keys.totpFactor(user.id), ...factor, lockedUntil: undefined }, conditions.isNew), reason: 'already_enabled' },
      {
        item: this.delete(keys.pendingEnrollment(user.id), conditions.pendingMatches, {
          ':enrollmentId': input.pending.enrollmentId,
          ':maxAttempts': maxChallengeAttempts,
        }),
        reason: 'enrollment_gone',
      },
      {
        item: this.update(
          keys.user(user.id),
          'SET twoFactorEnabled = :true, twoFactorEnabledAt = :enabledAt',
          undefined,
          { ':true': true, ':false': false, ':enabledAt': factor.enabledAt, ':generation': user.generation },
          'attribute_exists(pk) AND generation = :generation AND twoFactorEnabled = :false',
        ),
        reason: 'user_changed',
      },
      { item: this.put(backupCodesItem(input.backupCodes)) },
      { item: this.put(this.auditItem(input.audit)) },
    );
    if (input.session) steps.push({ item: this.put(sessionItem(input.session)) });
    await this.transact(steps);
  }

  async completeLoginWithTotp(input: { challenge: Challenge; user: User; step: number; session: Session }): Promise<void> {
    await this.transact([
      { item: this.spendChallenge(input.challenge), reason: 'challenge_spent' },
      { item: this.userIsEnrolled(input.user), reason: 'user_changed' },
      { item: this.acceptStep(input.user.id, input.step), reason: 'step_used' },
      { item: this.put(sessionItem(input.session)) },
    ]);
  }

  async completeLoginWithBackupCode(input: { challenge: Challenge; user: User; setId: string; codeHash: string; session: Session; audit: AuditEvent }): Promise<number> {
    const { user } = input;
    await this.transact([
      { item: this.spendChallenge(input.challenge), reason: 'challenge_spent' },
      { item: this.userIsEnrolled(user), reason: 'user_changed' },
      {
        item: this.update(
          keys.backupCodes(user.id),
          'REMOVE #codes.#code',
          { '#codes': 'codes', '#code': input.codeHash },
          { ':setId': input.setId },
          conditions.backupCodeUnused,
        ),
        reason: 'backup_code_used',
      },
      {
        item: this.update(keys.totpFactor(user.id), 'SET failedAttempts = :zero REMOVE lockedUntil', undefined, { ':zero': 0 }, conditions.exists),
        reason: 'user_changed',
      },
      { item: this.put(sessionItem(input.session)) },
      { item: this.put(this.auditItem(input.audit)) },
    ]);
    return (await this.getBackupCodeSet(user.id))?.remainingHashes.length ?? 0;
  }

  async replaceBackupCodes(input: { user: User; step: number; backupCodes: BackupCodeSet; audit: AuditEvent }): Promise<void> {
    await this.transact([
      { item: this.userIsEnrolled(input.user), reason: 'not_enrolled' },
      { item: this.acceptStep(input.user.id, input.step), reason: 'step_used' },
      { item: this.put(backupCodesItem(input.backupCodes)) },
      { item: this.put(this.auditItem(input.audit)) },
    ]);
  }

  async disableTwoFactor(input: { user: User; step: number; audit: AuditEvent }): Promise<void> {
    const { user } = input;
    await this.transact([
      {
        item: this.update(
          keys.user(user.id),
          'SET twoFactorEnabled = :false REMOVE twoFactorEnabledAt',
          undefined,
          { ':true': true, ':false': false, ':generation': user.generation },
          conditions.enrolledInGeneration,
        ),
        reason: 'not_enrolled',
      },
      // Deleting the factor under the step condition spends the step that proved the request.
      { item: this.delete(keys.totpFactor(user.id), conditions.stepIsNew, { ':step': input.step }), reason: 'step_used' },
      { item: this.delete(keys.backupCodes(user.id)) },
      { item: this.put(this.auditItem(input.audit)) },
    ]);
  }

  async resetTwoFactor(input: { user: User; audit: AuditEvent }): Promise<User> {
    const { user } = input;
    await this.transact([
      {
        item: this.update(
          keys.user(user.id),
          'SET twoFactorEnabled = :false ADD generation :one REMOVE twoFactorEnabledAt',
          undefined,
          { ':false': false, ':one': 1 },
          conditions.exists,
        ),
        reason: 'user_gone',
      },
      { item: this.delete(keys.totpFactor(user.id)) },
      { item: this.delete(keys.backupCodes(user.id)) },
      { item: this.delete(keys.pendingEnrollment(user.id)) },
      { item: this.put(this.auditItem(input.audit)) },
    ]);
    const updated = await this.getUser(user.id);
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
      items: (result.Items ?? []).map((item) => ({
        id: item.eventId as string,
        appId,
        at: item.at as string,
        type: item.type as AuditEvent['type'],
        actorId: item.actorId as string,
        targetUserId: (item.targetUserId as string | undefined) ?? null,
        ...(item.detail ? { detail: item.detail as AuditEvent['detail'] } : {}),
      })),
      nextCursor: result.LastEvaluatedKey ? encodeCursor(result.LastEvaluatedKey.sk as string) : null,
    };
  }

  private userCreation(user: User): TransactStep[] {
    return [
      { item: this.put({ ...keys.emailClaim(user.appId, user.email), userId: user.id, appId: user.appId }, conditions.isNew), reason: 'email_taken' },
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
            twoFactorEnabled: user.twoFactorEnabled,
          },
          conditions.isNew,
        ),
        reason: 'user_exists',
      },
    ];
  }

  private publishPointer(appId: string, config: PublishedConfig): TransactItem {
    const first = config.version === 1;
    return this.update(
      keys.app(appId),
      'SET publishedVersion = :version, publishedMode = :mode, publishedAt = :publishedAt',
      undefined,
      { ':version': config.version, ':mode': config.mode, ':publishedAt': config.publishedAt, ...(first ? {} : { ':previousVersion': config.version - 1 }) },
      first ? conditions.firstPublish : conditions.nextPublish,
    );
  }

  private spendChallenge(challenge: Challenge): TransactItem {
    return this.delete(keys.challenge(challenge.tokenHash), conditions.challengeLive, { ':maxAttempts': maxChallengeAttempts });
  }

  private userIsEnrolled(user: User): TransactItem {
    return this.conditionCheck(keys.user(user.id), conditions.enrolledInGeneration, { ':generation': user.generation, ':true': true });
  }

  /** Spends `step` and, being a success, clears the consecutive-failure count and any lockout. */
  private acceptStep(userId: string, step: number): TransactItem {
    return this.update(
      keys.totpFactor(userId),
      'SET lastAcceptedStep = :step, failedAttempts = :zero REMOVE lockedUntil',
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
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD failedAttempts :one',
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':one': 1, ...values },
          ReturnValues: 'UPDATED_NEW',
        }),
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

  private update(key: { pk: string; sk: string }, expression: string, names?: Record<string, string>, values?: Item, condition?: string): TransactItem {
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

  private conditionCheck(key: { pk: string; sk: string }, condition: string, values?: Item): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: condition,
        ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  /** Runs the steps as one transaction; a cancelled step with a reason becomes a `ConditionFailedError`. */
  private async transact(steps: TransactStep[]): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: steps.map((step) => step.item) }));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      // A conflict with a concurrent transaction on the same item is a lost race, like a failed condition.
      const failed = steps.findIndex((step, index) => step.reason && ['ConditionalCheckFailed', 'TransactionConflict'].includes(reasons[index]?.Code ?? ''));
      if (failed >= 0) throw new ConditionFailedError(steps[failed]!.reason!, { cause: error });
      throw error;
    }
  }
}

function publishedFields(config: PublishedConfig | null): Item {
  return config ? { publishedVersion: config.version, publishedMode: config.mode, publishedAt: config.publishedAt } : {};
}

function configVersionItem(appId: string, config: PublishedConfig): Item {
  return { ...keys.configVersion(appId, config.version), appId, version: config.version, twoFactorMode: config.mode, publishedAt: config.publishedAt };
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
