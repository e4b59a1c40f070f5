import type { DeviceTokenStore } from './api/client.js';

/** The localStorage key of the device token of `appId`'s portal in this browser. */
function deviceTokenKey(appId: string): string {
  return `twofa.device.${appId}`;
}

/**
 * This browser's device token for one app, in localStorage so it outlives a reload and a sign-out (the
 * session stays in memory only). It is no credential on its own: the service still asks for the password,
 * and for the second factor unless the app lets the user trust the browser. A browser that refuses storage
 * simply has no device token: every login then comes from a new device.
 */
export function localDeviceTokens(appId: string, storage: () => Storage = () => window.localStorage): DeviceTokenStore {
  const key = deviceTokenKey(appId);
  return {
    get: () => {
      try {
        return storage().getItem(key);
      } catch {
        return null;
      }
    },
    save: (token) => {
      try {
        storage().setItem(key, token);
      } catch {
        // Storage is off or full: the next login goes without a device token.
      }
    },
    forget: () => {
      try {
        storage().removeItem(key);
      } catch {
        // Nothing was kept.
      }
    },
  };
}
