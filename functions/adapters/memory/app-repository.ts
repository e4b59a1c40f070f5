import type { AppRuntime, AuditEvent, DraftSettings, Plan, PublishedConfig } from '../../core/model.js';
import type { AppRepository } from '../../core/ports.js';
import type { ChangePlanInput, CreateAppInput } from '../../core/repository-inputs.js';
import { hasDeadlines } from '../../core/enforcement.js';
import { sameSettings } from '../../core/plans.js';
import { auditPut, userCreation } from './steps.js';
import { type MemoryTable, type Step, atomically, byteOrder, keyOf, transact } from './table.js';

/** The in-memory AppRepository: the DynamoDB store's conditions, over a `MemoryTable`. */
export class MemoryAppRepository implements AppRepository {
  constructor(private readonly table: MemoryTable) {}

  getAppRuntime(appId: string): Promise<AppRuntime | null> {
    return atomically(() => this.table.apps.get(appId) ?? null);
  }

  getDraftSettings(appId: string): Promise<DraftSettings | null> {
    return atomically(() => this.table.drafts.get(appId) ?? null);
  }

  createApp(input: CreateAppInput): Promise<void> {
    return atomically(() => {
      const { app, publishedConfig } = input;
      const { apps, drafts, dataKeys } = this.table;
      const dataKey = keyOf(app.id, app.dataKeyId);
      const runtime: AppRuntime = {
        id: app.id,
        name: app.name,
        plan: app.plan,
        createdAt: app.createdAt,
        dataKeyId: app.dataKeyId,
        allowedOrigins: app.allowedOrigins,
        publishedConfig: publishedConfig && publishedOf(publishedConfig),
      };
      const steps: Step[] = [
        { condition: { holds: () => !apps.has(app.id), reason: 'app_exists' }, write: () => apps.put(app.id, runtime) },
        { write: () => drafts.put(app.id, draftOf(input.draft)) },
        {
          condition: { holds: () => !dataKeys.has(dataKey), reason: 'app_exists' },
          write: () => dataKeys.put(dataKey, input.wrappedDataKey),
        },
        ...userCreation(this.table, input.admin),
        auditPut(this.table, input.audit),
      ];
      if (publishedConfig) steps.push(this.configVersionPut(app.id, publishedConfig, 'app_exists'));
      transact(steps);
    });
  }

  putDraftSettings(appId: string, plan: Plan, draft: DraftSettings, audit: AuditEvent): Promise<void> {
    return atomically(() => {
      transact([
        { condition: { holds: () => this.table.apps.get(appId)?.plan === plan, reason: 'plan_changed' } },
        { write: () => this.table.drafts.put(appId, draftOf(draft)) },
        auditPut(this.table, audit),
      ]);
    });
  }

  publishConfig(appId: string, plan: Plan, config: PublishedConfig, audit: AuditEvent): Promise<void> {
    return atomically(() => {
      transact([
        this.appUpdate(appId, { publish: config, seenVersion: config.version - 1, seenPlan: plan }, 'version_conflict'),
        this.configVersionPut(appId, config, 'version_conflict'),
        this.deadlinesListing(appId, config),
        auditPut(this.table, audit),
      ]);
    });
  }

  changePlan(input: ChangePlanInput): Promise<void> {
    return atomically(() => {
      const { appId, publish, seen, draft } = input;
      const { drafts } = this.table;
      const steps: Step[] = [
        this.appUpdate(appId, { plan: input.plan, publish, seenVersion: seen.publishedVersion ?? 0 }, 'plan_race'),
        {
          // A plan change lowered (or kept) the draft it read; an edit in between must make it read again.
          condition: {
            holds: () => {
              const stored = drafts.get(appId);
              return stored !== undefined && sameSettings(stored, seen.draft);
            },
            reason: 'plan_race',
          },
          ...(draft ? { write: () => drafts.put(appId, draftOf(draft)) } : {}),
        },
        auditPut(this.table, input.audit),
      ];
      if (publish) steps.push(this.configVersionPut(appId, publish, 'plan_race'), this.deadlinesListing(appId, publish));
      transact(steps);
    });
  }

  setAllowedOrigins(appId: string, allowedOrigins: string[], audit: AuditEvent): Promise<void> {
    return atomically(() => {
      const { apps } = this.table;
      transact([
        {
          condition: { holds: () => apps.has(appId), reason: 'app_gone' },
          write: () =>
            apps.update(appId, (app) => {
              app.allowedOrigins = allowedOrigins;
            }),
        },
        auditPut(this.table, audit),
      ]);
    });
  }

  listAppsWithDeadlines(): Promise<string[]> {
    return atomically(() => this.table.appsWithDeadlines.where(() => true).sort(byteOrder));
  }

  private deadlinesListing(appId: string, config: PublishedConfig): Step {
    const listed = this.table.appsWithDeadlines;
    return { write: () => (hasDeadlines(config) ? listed.put(appId, appId) : listed.delete(appId)) };
  }

  getWrappedDataKey(appId: string, keyId: string): Promise<string | null> {
    return atomically(() => this.table.dataKeys.get(keyOf(appId, keyId)) ?? null);
  }

  /**
   * The app's update for a publish and/or a plan change, conditioned on the published version the caller
   * read (0: none yet) and, for a publish, on the plan it checked the mode against.
   */
  private appUpdate(
    appId: string,
    change: { plan?: Plan; publish?: PublishedConfig | null; seenVersion: number; seenPlan?: Plan },
    reason: 'version_conflict' | 'plan_race',
  ): Step {
    const { apps } = this.table;
    return {
      condition: {
        holds: () => {
          const app = apps.get(appId);
          if (!app) return false;
          const versionAsSeen =
            change.seenVersion === 0 ? app.publishedConfig === null : app.publishedConfig?.version === change.seenVersion;
          return versionAsSeen && (change.seenPlan === undefined || app.plan === change.seenPlan);
        },
        reason,
      },
      write: () =>
        apps.update(appId, (app) => {
          if (change.publish) app.publishedConfig = publishedOf(change.publish);
          if (change.plan) app.plan = change.plan;
        }),
    };
  }

  /** Publishing takes a config version only if nobody else took it. */
  private configVersionPut(appId: string, config: PublishedConfig, reason: 'app_exists' | 'version_conflict' | 'plan_race'): Step {
    const key = keyOf(appId, config.version);
    const { configVersions } = this.table;
    return { condition: { holds: () => !configVersions.has(key), reason }, write: () => configVersions.put(key, publishedOf(config)) };
  }
}

function draftOf(draft: DraftSettings): DraftSettings {
  return {
    mode: draft.mode,
    rememberDeviceDays: draft.rememberDeviceDays,
    requiredGraceDays: draft.requiredGraceDays,
    requiredForRoles: [...draft.requiredForRoles],
    updatedAt: draft.updatedAt,
  };
}

function publishedOf(config: PublishedConfig): PublishedConfig {
  return {
    version: config.version,
    mode: config.mode,
    rememberDeviceDays: config.rememberDeviceDays,
    requiredGraceDays: config.requiredGraceDays,
    requiredForRoles: [...config.requiredForRoles],
    requiredSince: { ...config.requiredSince },
    publishedAt: config.publishedAt,
  };
}
