import { timingSafeEqual } from 'node:crypto';
import { ConditionFailedError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { Assurance, Device, PublishedConfig, User } from '../model.js';
import type { DeviceUse, Dependencies } from '../ports.js';
import { hashToken, newId, newToken, toEpochSeconds } from '../tokens.js';
import { noFailures } from '../lockout.js';
import { authenticateSession } from './authenticate.js';
import { type DeviceView, type IssuedSession, auditEvent, isExpired, newSession } from './common.js';

/** A device token is good for a year from its last rotation; the table's TTL removes it after. */
const deviceLifetimeMs = 365 * 24 * 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;

/** A device token is `<device id>.<256 random bits>`: the id finds the item, only the hash of the whole is kept. */
const deviceTokenShape = /^(dev_[A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/;

/** A device about to be written with the session the answer issues, and its token for the answer. */
export interface IssuedDevice {
  token: string;
  use: DeviceUse;
}

/** The id of the device a device token names, if the token has a device token's shape. */
export function deviceIdOf(token: string | undefined): string | null {
  return (token ? deviceTokenShape.exec(token)?.[1] : undefined) ?? null;
}

/**
 * The device read for `token` (by `deviceIdOf`), if it is a live device of `user` (this app, this user, the
 * current device generation, not expired) and the token's hash matches.
 */
export function presentedLiveDevice(
  deps: Dependencies,
  user: User | null,
  device: Device | null,
  token: string | undefined,
): Device | null {
  if (!token || !user || !device) return null;
  return isLive(deps, device, user) && sameHash(device.tokenHash, hashToken(token)) ? device : null;
}

/** A device of `user` read by id (from a session or a challenge): still of this user's current generation? */
export async function liveDeviceById(deps: Dependencies, user: User, deviceId: string | null): Promise<Device | null> {
  if (!deviceId) return null;
  const device = await deps.sessions.getDevice(user.id, deviceId);
  return device && isLive(deps, device, user) ? device : null;
}

/** Whether `device` is a live device of `user`: this app and user, the current device generation, not expired. */
export function isLive(deps: Dependencies, device: Device, user: User): boolean {
  return (
    device.userId === user.id &&
    device.appId === user.appId &&
    device.generation === user.deviceGeneration &&
    !isExpired(device.expiresAt, deps.clock())
  );
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A brand-new device of `user`. */
export function newDevice(deps: Dependencies, user: User): IssuedDevice {
  const id = newId('dev');
  const token = `${id}.${newToken()}`;
  const now = deps.clock();
  const device: Device = {
    id,
    appId: user.appId,
    userId: user.id,
    tokenHash: hashToken(token),
    generation: user.deviceGeneration,
    createdAt: new Date(now).toISOString(),
    lastUsedAt: new Date(now).toISOString(),
    expiresAt: toEpochSeconds(now + deviceLifetimeMs),
    rememberedAt: null,
    rememberedUntil: null,
    rememberGeneration: user.rememberGeneration,
    passwordFailures: noFailures,
    secondFactorFailures: noFailures,
  };
  return { token, use: { kind: 'new', device } };
}

/** A known device used again with the token the request presented. */
export function presentedDevice(deps: Dependencies, device: Device, token: string): IssuedDevice {
  return { token, use: { kind: 'known', device: { ...device, lastUsedAt: new Date(deps.clock()).toISOString() }, clear: [] } };
}

/**
 * A known device that the request did not present (a challenge carried its id): it gets a new token, since
 * only the old one's hash is kept, and a second factor it just passed clears its count of wrong codes.
 */
export function rotatedDevice(deps: Dependencies, device: Device): IssuedDevice {
  const token = `${device.id}.${newToken()}`;
  const now = deps.clock();
  return {
    token,
    use: {
      kind: 'known',
      device: { ...device, tokenHash: hashToken(token), lastUsedAt: new Date(now).toISOString() },
      clear: ['secondFactorFailures'],
    },
  };
}

/** The device, remembered for the second factor for the app's published number of days. */
export function remembered(deps: Dependencies, issued: IssuedDevice, user: User, days: number): IssuedDevice {
  const now = deps.clock();
  const device = {
    ...issued.use.device,
    rememberedAt: now,
    rememberedUntil: now + days * dayMs,
    rememberGeneration: user.rememberGeneration,
  };
  return { token: issued.token, use: issued.use.kind === 'new' ? { kind: 'new', device } : { ...issued.use, device } };
}

/**
 * Until when the device skips the second factor, or null: remembered under the user's current remember
 * generation (a reset, disable, regeneration or lockout ends it), and no longer than the app's published
 * number of days allows now (an admin who lowers it shortens every remembered device).
 */
export function rememberedUntil(device: Device, user: User, published: PublishedConfig | null, now: number): number | null {
  const days = published?.rememberDeviceDays ?? 0;
  if (
    days === 0 ||
    device.rememberedAt === null ||
    device.rememberedUntil === null ||
    device.rememberGeneration !== user.rememberGeneration
  )
    return null;
  const until = Math.min(device.rememberedUntil, device.rememberedAt + days * dayMs);
  return until > now ? until : null;
}

export function deviceView(issued: IssuedDevice, user: User, published: PublishedConfig | null, now: number): DeviceView {
  const { device } = issued.use;
  const until = rememberedUntil(device, user, published, now);
  return {
    id: device.id,
    token: issued.token,
    expiresAt: new Date(device.expiresAt * 1000).toISOString(),
    rememberedUntil: until === null ? null : new Date(until).toISOString(),
  };
}

/**
 * Writes a session and its device. A known device forgotten meanwhile (the user signed out everywhere or
 * forgot it in another tab) makes the write fail; the session then goes to a new device instead.
 */
export async function issueSessionToDevice(
  deps: Dependencies,
  user: User,
  assurance: Assurance,
  device: IssuedDevice,
  write: (session: IssuedSession, device: IssuedDevice) => Promise<void>,
  instead: () => IssuedDevice = () => newDevice(deps, user),
): Promise<{ issued: IssuedSession; device: IssuedDevice }> {
  let current = device;
  for (;;) {
    const issued = newSession(deps, user, assurance, current.use.device.id);
    try {
      await write(issued, current);
      return { issued, device: current };
    } catch (error) {
      if (!(error instanceof ConditionFailedError && error.reason === 'device_changed' && current.use.kind === 'known')) throw error;
      current = instead();
    }
  }
}

export interface DeviceListing {
  devices: { id: string; createdAt: string; lastUsedAt: string; rememberedUntil: string | null; current: boolean }[];
}

/** The user's live devices, most recently used first; `current` is the one this session was issued to. */
export async function listDevices(deps: Dependencies, input: { appId: string; token: string | null }): Promise<DeviceListing> {
  const { user, app, session } = await authenticateSession(deps, input.appId, input.token, { allowWithoutRequiredFactor: true });
  const now = deps.clock();
  const devices = await liveDevices(deps, user);
  devices.sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
  return {
    devices: devices.map((device) => {
      const until = rememberedUntil(device, user, app.publishedConfig, now);
      return {
        id: device.id,
        createdAt: device.createdAt,
        lastUsedAt: device.lastUsedAt,
        rememberedUntil: until === null ? null : new Date(until).toISOString(),
        current: device.id === session.deviceId,
      };
    }),
  };
}

/** Forgets one of the user's devices: its token dies (it is an unknown client from then on). */
export async function forgetDevice(deps: Dependencies, input: { appId: string; token: string | null; deviceId: string }): Promise<void> {
  const { user } = await authenticateSession(deps, input.appId, input.token, { allowWithoutRequiredFactor: true });
  const forgotten = await deps.sessions.forgetDevice(
    user,
    input.deviceId,
    auditEvent(deps, user.appId, 'device.forgotten', user.id, user.id, { deviceId: input.deviceId }),
  );
  if (!forgotten) throw new NotFoundError('The device');
}

/** Signs the user out everywhere: every session and challenge ends and every device is forgotten. */
export async function signOutEverywhere(deps: Dependencies, input: { appId: string; token: string | null }): Promise<void> {
  const { user } = await authenticateSession(deps, input.appId, input.token, { allowWithoutRequiredFactor: true });
  try {
    await deps.sessions.signOutEverywhere(user, auditEvent(deps, user.appId, 'sessions.revoked', user.id, user.id));
  } catch (error) {
    // The user changed since this session was read (a reset, another sign-out): this session is dead already.
    if (error instanceof ConditionFailedError) throw new UnauthorizedError();
    throw error;
  }
}

/** The user's devices still of its current device generation and not expired. */
export async function liveDevices(deps: Dependencies, user: User): Promise<Device[]> {
  return (await deps.sessions.listDevices(user.id)).filter((device) => isLive(deps, device, user));
}
