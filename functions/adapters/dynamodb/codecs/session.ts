import { assurances, challengePurposes, type Challenge, type Device, type Session } from '../../../core/model.js';
import type { DeviceCount } from '../../../core/ports.js';
import { type Item, ItemReader } from '../item-reader.js';
import { keys } from '../keys.js';

/** Sessions and challenges are keyed by their token's hash; the item does not repeat it. */
export function sessionItem(session: Session): Item {
  return {
    ...keys.session(session.tokenHash),
    appId: session.appId,
    userId: session.userId,
    generation: session.generation,
    assurance: session.assurance,
    ...(session.deviceId === null ? {} : { deviceId: session.deviceId }),
    ...(session.secondFactorAt === null ? {} : { secondFactorAt: session.secondFactorAt }),
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
  };
}

export function sessionOf(tokenHash: string, item: Item): Session {
  const read = new ItemReader(item, 'session');
  return {
    tokenHash,
    appId: read.string('appId'),
    userId: read.string('userId'),
    generation: read.number('generation'),
    assurance: read.oneOf('assurance', assurances),
    deviceId: read.stringOr('deviceId', null),
    secondFactorAt: read.numberOr('secondFactorAt', null),
    createdAt: read.string('createdAt'),
    expiresAt: read.number('expiresAt'),
  };
}

export function challengeItem(challenge: Challenge): Item {
  return {
    ...keys.challenge(challenge.tokenHash),
    appId: challenge.appId,
    userId: challenge.userId,
    generation: challenge.generation,
    purpose: challenge.purpose,
    ...(challenge.deviceId === null ? {} : { deviceId: challenge.deviceId }),
    failedAttempts: challenge.failedAttempts,
    createdAt: challenge.createdAt,
    expiresAt: challenge.expiresAt,
  };
}

export function challengeOf(tokenHash: string, item: Item): Challenge {
  const read = new ItemReader(item, 'challenge');
  return {
    tokenHash,
    appId: read.string('appId'),
    userId: read.string('userId'),
    generation: read.number('generation'),
    purpose: read.oneOf('purpose', challengePurposes),
    deviceId: read.stringOr('deviceId', null),
    failedAttempts: read.number('failedAttempts'),
    createdAt: read.string('createdAt'),
    expiresAt: read.number('expiresAt'),
  };
}

/** The attribute names of a device's failure counts (a device keeps two, side by side). */
export interface CountAttributes {
  failedAttempts: string;
  lockedUntil: string;
}

export const deviceCountAttributes: Record<DeviceCount, CountAttributes> = {
  passwordFailures: { failedAttempts: 'pwFailedAttempts', lockedUntil: 'pwLockedUntil' },
  secondFactorFailures: { failedAttempts: 'sfFailedAttempts', lockedUntil: 'sfLockedUntil' },
};

export function deviceItem(device: Device): Item {
  const { passwordFailures: pw, secondFactorFailures: sf } = deviceCountAttributes;
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
    ...(device.rememberedAt === null ? {} : { rememberedAt: device.rememberedAt }),
    ...(device.rememberedUntil === null ? {} : { rememberedUntil: device.rememberedUntil }),
    rememberGeneration: device.rememberGeneration,
    [pw.failedAttempts]: device.passwordFailures.failedAttempts,
    ...(device.passwordFailures.lockedUntil === null ? {} : { [pw.lockedUntil]: device.passwordFailures.lockedUntil }),
    [sf.failedAttempts]: device.secondFactorFailures.failedAttempts,
    ...(device.secondFactorFailures.lockedUntil === null ? {} : { [sf.lockedUntil]: device.secondFactorFailures.lockedUntil }),
  };
}

export function deviceOf(item: Item): Device {
  const read = new ItemReader(item, 'device');
  const { passwordFailures: pw, secondFactorFailures: sf } = deviceCountAttributes;
  return {
    id: read.string('deviceId'),
    appId: read.string('appId'),
    userId: read.string('userId'),
    tokenHash: read.string('tokenHash'),
    generation: read.number('generation'),
    createdAt: read.string('createdAt'),
    lastUsedAt: read.string('lastUsedAt'),
    expiresAt: read.number('expiresAt'),
    rememberedAt: read.numberOr('rememberedAt', null),
    rememberedUntil: read.numberOr('rememberedUntil', null),
    rememberGeneration: read.numberOr('rememberGeneration', 0),
    passwordFailures: read.failureCount(pw.failedAttempts, pw.lockedUntil),
    secondFactorFailures: read.failureCount(sf.failedAttempts, sf.lockedUntil),
  };
}
