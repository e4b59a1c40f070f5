import { plans, twoFactorModes, type App, type AppRuntime, type DraftSettings, type PublishedConfig } from '../../../core/model.js';
import { type Item, ItemReader } from '../item-reader.js';
import { keys } from '../keys.js';

/** The app item: the app and, once published, its live config (what every runtime decision reads). */
export function appItem(app: App, published: PublishedConfig | null): Item {
  return {
    ...keys.app(app.id),
    appId: app.id,
    name: app.name,
    plan: app.plan,
    createdAt: app.createdAt,
    dataKeyId: app.dataKeyId,
    allowedOrigins: app.allowedOrigins,
    ...(published ? publishedAttributes(published) : {}),
  };
}

/** The app item's attributes holding the live config (a publish sets them with one update). */
export function publishedAttributes(config: PublishedConfig): Item {
  return {
    publishedVersion: config.version,
    publishedMode: config.mode,
    publishedRememberDeviceDays: config.rememberDeviceDays,
    publishedAt: config.publishedAt,
  };
}

export function appRuntimeOf(item: Item): AppRuntime {
  const read = new ItemReader(item, 'app');
  const version = read.numberOr('publishedVersion', null);
  return {
    id: read.string('appId'),
    name: read.string('name'),
    plan: read.oneOf('plan', plans),
    createdAt: read.string('createdAt'),
    dataKeyId: read.string('dataKeyId'),
    allowedOrigins: read.strings('allowedOrigins'),
    publishedConfig:
      version === null
        ? null
        : {
            version,
            mode: read.oneOf('publishedMode', twoFactorModes),
            rememberDeviceDays: read.numberOr('publishedRememberDeviceDays', 0),
            publishedAt: read.string('publishedAt'),
          },
  };
}

export function draftItem(appId: string, draft: DraftSettings): Item {
  return { ...keys.draftSettings(appId), mode: draft.mode, rememberDeviceDays: draft.rememberDeviceDays, updatedAt: draft.updatedAt };
}

export function draftOf(item: Item): DraftSettings {
  const read = new ItemReader(item, 'draft settings');
  return {
    mode: read.oneOf('mode', twoFactorModes),
    // Drafts written before devices could be remembered have no such attribute: it means 0.
    rememberDeviceDays: read.numberOr('rememberDeviceDays', 0),
    updatedAt: read.string('updatedAt'),
  };
}

/** Every published version is kept, one item each, so a publish can never overwrite another. */
export function configVersionItem(appId: string, config: PublishedConfig): Item {
  return {
    ...keys.configVersion(appId, config.version),
    appId,
    version: config.version,
    twoFactorMode: config.mode,
    rememberDeviceDays: config.rememberDeviceDays,
    publishedAt: config.publishedAt,
  };
}

export function dataKeyItem(appId: string, keyId: string, wrappedKey: string, createdAt: string): Item {
  return { ...keys.dataKey(appId, keyId), wrappedKey, createdAt };
}

export function wrappedKeyOf(item: Item): string {
  return new ItemReader(item, 'data key').string('wrappedKey');
}
