import { hasDeadlines } from '../../core/enforcement.js';
import type { AppRuntime, AuditEvent, DraftSettings, Plan, PublishedConfig } from '../../core/model.js';
import type { AppRepository } from '../../core/ports.js';
import type { ChangePlanInput, CreateAppInput } from '../../core/repository-inputs.js';
import {
  appItem,
  appRuntimeOf,
  configVersionItem,
  dataKeyItem,
  draftItem,
  draftOf,
  optionalPublishedAttributes,
  publishedAttributes,
  wrappedKeyOf,
} from './codecs/app.js';
import { conditions } from './conditions.js';
import { keys } from './keys.js';
import { and, type Expression, type Write } from './table.js';
import type { SharedWrites } from './writes.js';

/** Apps and config: the app item, its draft, every published version and its data keys, under `APP#<id>`. */
export class DynamoAppRepository implements AppRepository {
  constructor(private readonly writes: SharedWrites) {}

  private get table() {
    return this.writes.table;
  }

  async getAppRuntime(appId: string): Promise<AppRuntime | null> {
    const item = await this.table.get(keys.app(appId));
    return item ? appRuntimeOf(item) : null;
  }

  async getDraftSettings(appId: string): Promise<DraftSettings | null> {
    const item = await this.table.get(keys.draftSettings(appId));
    return item ? draftOf(item) : null;
  }

  async createApp(input: CreateAppInput): Promise<void> {
    const { app, publishedConfig } = input;
    const writes: Write[] = [
      { item: this.table.put(appItem(app, publishedConfig), conditions.isNew), reason: 'app_exists' },
      { item: this.table.put(draftItem(app.id, input.draft)) },
      {
        item: this.table.put(dataKeyItem(app.id, app.dataKeyId, input.wrappedDataKey, app.createdAt), conditions.isNew),
        reason: 'app_exists',
      },
      ...this.writes.userCreation(input.admin),
      this.writes.audit(input.audit),
    ];
    if (publishedConfig)
      writes.push({ item: this.table.put(configVersionItem(app.id, publishedConfig), conditions.isNew), reason: 'app_exists' });
    await this.table.transact(writes);
  }

  async putDraftSettings(appId: string, plan: Plan, draft: DraftSettings, audit: AuditEvent): Promise<void> {
    await this.table.transact([
      { item: this.table.check(keys.app(appId), and(conditions.exists, conditions.planIs(plan))), reason: 'plan_changed' },
      { item: this.table.put(draftItem(appId, draft)) },
      this.writes.audit(audit),
    ]);
  }

  async publishConfig(appId: string, plan: Plan, config: PublishedConfig, audit: AuditEvent): Promise<void> {
    await this.table.transact(
      [
        { item: this.appUpdate(appId, { publish: config, seenVersion: config.version - 1, seenPlan: plan }), reason: 'version_conflict' },
        { item: this.table.put(configVersionItem(appId, config), conditions.isNew), reason: 'version_conflict' },
        this.deadlinesListing(appId, config),
        this.writes.audit(audit),
      ],
      // Concurrent publishes collide on the app item; the caller re-reads and takes the next version.
      { persistentConflict: 'version_conflict' },
    );
  }

  async changePlan(input: ChangePlanInput): Promise<void> {
    const { appId, publish, seen } = input;
    const draftKey = keys.draftSettings(appId);
    const draftAsSeen = conditions.draftIs(seen.draft);
    const writes: Write[] = [
      { item: this.appUpdate(appId, { plan: input.plan, publish, seenVersion: seen.publishedVersion ?? 0 }), reason: 'plan_race' },
      {
        item: input.draft
          ? this.table.update(
              draftKey,
              {
                text: 'SET #mode = :mode, rememberDeviceDays = :days, requiredGraceDays = :grace, requiredForRoles = :roles, updatedAt = :updatedAt',
                names: { '#mode': 'mode' },
                values: {
                  ':mode': input.draft.mode,
                  ':days': input.draft.rememberDeviceDays,
                  ':grace': input.draft.requiredGraceDays,
                  ':roles': input.draft.requiredForRoles,
                  ':updatedAt': input.draft.updatedAt,
                },
              },
              draftAsSeen,
            )
          : this.table.check(draftKey, draftAsSeen),
        reason: 'plan_race',
      },
      this.writes.audit(input.audit),
    ];
    if (publish)
      writes.push(
        { item: this.table.put(configVersionItem(appId, publish), conditions.isNew), reason: 'plan_race' },
        this.deadlinesListing(appId, publish),
      );
    await this.table.transact(writes);
  }

  async setAllowedOrigins(appId: string, allowedOrigins: string[], audit: AuditEvent): Promise<void> {
    const change = { text: 'SET allowedOrigins = :origins', values: { ':origins': allowedOrigins } };
    await this.table.transact([
      { item: this.table.update(keys.app(appId), change, conditions.exists), reason: 'app_gone' },
      this.writes.audit(audit),
    ]);
  }

  async listAppsWithDeadlines(): Promise<string[]> {
    const appIds: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.table.query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.appsWithDeadlinesPartition() },
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.items) if (typeof item.sk === 'string') appIds.push(item.sk);
      start = page.lastKey;
    } while (start);
    return appIds;
  }

  /** Lists the app for the deadline reminders while `config` has deadlines, unlists it otherwise. */
  private deadlinesListing(appId: string, config: PublishedConfig): Write {
    const key = keys.appWithDeadlines(appId);
    return { item: hasDeadlines(config) ? this.table.put({ ...key, since: config.publishedAt }) : this.table.delete(key) };
  }

  async getWrappedDataKey(appId: string, keyId: string): Promise<string | null> {
    const item = await this.table.get(keys.dataKey(appId, keyId));
    return item ? wrappedKeyOf(item) : null;
  }

  /**
   * The app item's update for a publish and/or a plan change, conditioned on the published version the
   * caller read (0: none yet) and, for a publish, on the plan it checked the mode against.
   */
  private appUpdate(
    appId: string,
    change: { plan?: Plan; publish?: PublishedConfig | null; seenVersion: number; seenPlan?: Plan },
  ): Write['item'] {
    const sets: string[] = [];
    const removes: string[] = [];
    const update: Required<Expression> = { text: '', names: {}, values: {} };
    if (change.publish) {
      const attributes = publishedAttributes(change.publish);
      for (const [attribute, value] of Object.entries(attributes)) {
        sets.push(`${attribute} = :${attribute}`);
        update.values[`:${attribute}`] = value;
      }
      removes.push(...optionalPublishedAttributes.filter((attribute) => !(attribute in attributes)));
    }
    if (change.plan) {
      sets.push('#plan = :plan');
      update.names['#plan'] = 'plan';
      update.values[':plan'] = change.plan;
    }
    update.text = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
    const seenVersion = conditions.publishedVersionIs(change.seenVersion);
    return this.table.update(keys.app(appId), update, change.seenPlan ? and(seenVersion, conditions.planIs(change.seenPlan)) : seenVersion);
  }
}
