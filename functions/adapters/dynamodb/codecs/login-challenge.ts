import type { Challenge, ChallengeRoom, ChallengeSlot } from '../../../core/model.js';
import { challengeLifetimeMs } from '../../../core/tokens.js';
import type { Item } from '../item-reader.js';

/**
 * Login challenges live in their user's TOTP factor item, in the map `challenges`, so that the write a login
 * makes (the challenge, with the password count it must agree with), each wrong code counted on it, and the
 * verify that spends it (with the time step and the account's count) are single-item writes of that one item.
 * A reset or disable deletes the factor, and its challenges with it.
 *
 * Each entry is keyed by the first 32 hex digits (128 bits) of the challenge token's SHA-256 and holds what
 * the verify judges by: `g` the user's generation at login, `d` the device the login presented (absent: none),
 * `a` the wrong codes counted on it, `e` when it expires (epoch seconds). Its app and user are the factor's.
 */
export const challengesAttribute = 'challenges';
/** The attribute a lock of the email's password count is stamped in on the user's factor (see login-challenges.ts). */
export const passwordLockAttribute = 'passwordLockedUntil';

export function challengeSlotKey(tokenHash: string): string {
  return tokenHash.slice(0, 32);
}

export function challengeSlotValue(challenge: Challenge): Item {
  return {
    g: challenge.generation,
    a: challenge.failedAttempts,
    e: challenge.expiresAt,
    ...(challenge.deviceId === null ? {} : { d: challenge.deviceId }),
  };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entry of `tokenHash` in a factor item, as stored, if it holds one. */
export function challengeSlotIn(factor: Item | undefined, tokenHash: string): Record<string, unknown> | undefined {
  const slots = factor?.[challengesAttribute];
  const slot = isMap(slots) ? slots[challengeSlotKey(tokenHash)] : undefined;
  return isMap(slot) ? slot : undefined;
}

/** The login challenge of `tokenHash` in a factor item, if it holds it (the app and user are the factor's). */
export function loginChallengeOf(factor: Item | undefined, tokenHash: string, appId: string, userId: string): Challenge | null {
  const slot = challengeSlotIn(factor, tokenHash);
  if (!slot || typeof slot.g !== 'number' || typeof slot.a !== 'number' || typeof slot.e !== 'number') return null;
  return {
    tokenHash,
    appId,
    userId,
    generation: slot.g,
    purpose: 'login',
    deviceId: typeof slot.d === 'string' ? slot.d : null,
    failedAttempts: slot.a,
    // Not stored: a challenge lives `challengeLifetimeMs` from its creation.
    createdAt: new Date(slot.e * 1000 - challengeLifetimeMs).toISOString(),
    expiresAt: slot.e,
  };
}

/** Where a login may put its challenge: the factor it is for and the challenges the factor holds already. */
export function challengeRoomOf(factor: Item | undefined): ChallengeRoom | null {
  if (!factor || typeof factor.enabledAt !== 'string') return null;
  const slots = factor[challengesAttribute];
  if (!isMap(slots)) return { factorEnabledAt: factor.enabledAt, slots: null };
  const held: ChallengeSlot[] = [];
  for (const [key, slot] of Object.entries(slots)) {
    if (isMap(slot) && typeof slot.e === 'number') held.push({ key, expiresAt: slot.e });
  }
  return { factorEnabledAt: factor.enabledAt, slots: held };
}
