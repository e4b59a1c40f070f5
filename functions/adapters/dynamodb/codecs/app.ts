import {
  plans,
  roles,
  twoFactorModes,
  type App,
  type AppRuntime,
  type DraftSettings,
  type PublishedConfig,
  type Role,
} from '../../../core/model.js';
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
    publishedRequiredGraceDays: config.requiredGraceDays,
    publishedRequiredForRoles: config.requiredForRoles,
    // Absent when empty: DynamoDB Local's stream shows an empty map as `{}`, which no unmarshaller reads.
    ...(Object.keys(config.requiredSince).length > 0 ? { publishedRequiredSince: config.requiredSince } : {}),
    publishedAt: config.publishedAt,
  };
}

/** The app item's optional published attributes, removed by a publish that leaves them out. */
export const optionalPublishedAttributes = ['publishedRequiredSince'] as const;

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
            // Configs published before grace periods and per-role requirements have neither: none.
            requiredGraceDays: read.numberOr('publishedRequiredGraceDays', 0),
            requiredForRoles: rolesOf(read, 'publishedRequiredForRoles'),
            requiredSince: requiredSinceOf(read, 'publishedRequiredSince'),
            publishedAt: read.string('publishedAt'),
          },
  };
}

export function draftItem(appId: string, draft: DraftSettings): Item {
  return {
    ...keys.draftSettings(appId),
    mode: draft.mode,
    rememberDeviceDays: draft.rememberDeviceDays,
    requiredGraceDays: draft.requiredGraceDays,
    requiredForRoles: draft.requiredForRoles,
    updatedAt: draft.updatedAt,
  };
}

export function draftOf(item: Item): DraftSettings {
  const read = new ItemReader(item, 'draft settings');
  return {
    mode: read.oneOf('mode', twoFactorModes),
    // Drafts written before devices could be remembered have no such attribute: it means 0.
    rememberDeviceDays: read.numberOr('rememberDeviceDays', 0),
    requiredGraceDays: read.numberOr('requiredGraceDays', 0),
    requiredForRoles: rolesOf(read, 'requiredForRoles'),
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
    requiredGraceDays: config.requiredGraceDays,
    requiredForRoles: config.requiredForRoles,
    ...(Object.keys(config.requiredSince).length > 0 ? { requiredSince: config.requiredSince } : {}),
    publishedAt: config.publishedAt,
  };
}

export function dataKeyItem(appId: string, keyId: string, wrappedKey: string, createdAt: string): Item {
  return { ...keys.dataKey(appId, keyId), wrappedKey, createdAt };
}

export function wrappedKeyOf(item: Item): string {
  return new ItemReader(item, 'data key').string('wrappedKey');
}

/** A list of roles (absent: none); anything but a known role is a corrupt item. */
function rolesOf(read: ItemReader, name: string): Role[] {
  const names = read.strings(name);
  const known = roles.filter((role) => names.includes(role));
  if (known.length !== names.length) read.oneOf(name, roles);
  return known;
}

/** Since when each role has been required (absent: a config published before this was recorded). */
function requiredSinceOf(read: ItemReader, name: string): Partial<Record<Role, string>> {
  const since: Partial<Record<Role, string>> = {};
  for (const [role, at] of Object.entries(read.scalars(name) ?? {})) {
    const known = roles.find((candidate) => candidate === role);
    if (known && typeof at === 'string') since[known] = at;
  }
  return since;
}
