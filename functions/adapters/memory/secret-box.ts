import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretUnreadableError } from '../../core/errors.js';
import type { App, SealedSecret } from '../../core/model.js';
import type { SecretBox } from '../../core/ports.js';
import { newId } from '../../core/tokens.js';
import { keyOf } from './table.js';

const tagLength = 16;

/**
 * The envelope secret box without KMS, for tests: real AES-256-GCM under a random data key per app, held in
 * this object's memory instead of wrapped by KMS. The associated data binds each ciphertext to its app and
 * user exactly as `EnvelopeSecretBox` does, so an altered secret, or one copied onto another user's or
 * app's record, fails to open with the same `SecretUnreadableError`.
 */
export class MemorySecretBox implements SecretBox {
  /** Plaintext data keys by app id and key id: what KMS would unwrap for that app alone. */
  private readonly dataKeys = new Map<string, Buffer>();

  createDataKey(appId: string): Promise<{ keyId: string; wrappedKey: string }> {
    const keyId = newId('dk');
    this.dataKeys.set(keyOf(appId, keyId), randomBytes(32));
    // Stands for KMS's ciphertext of the key: stored beside the app, never read back here.
    return Promise.resolve({ keyId, wrappedKey: randomBytes(32).toString('base64') });
  }

  seal(app: App, userId: string, secret: Uint8Array): Promise<SealedSecret> {
    return new Promise((resolve) => {
      const key = this.dataKeys.get(keyOf(app.id, app.dataKeyId));
      if (!key) throw new Error(`data key ${app.dataKeyId} of app ${app.id} is missing`);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associatedData(app.id, userId));
      const ciphertext = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]);
      resolve({ v: 1, keyId: app.dataKeyId, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64') });
    });
  }

  open(appId: string, userId: string, sealed: SealedSecret): Promise<Buffer> {
    return new Promise((resolve) => {
      // A secret naming a data key this app does not have was moved here from elsewhere: it opens nothing.
      const key = this.dataKeys.get(keyOf(appId, sealed.keyId));
      if (!key) throw new SecretUnreadableError();
      const body = Buffer.from(sealed.ciphertext, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(associatedData(appId, userId));
      try {
        decipher.setAuthTag(body.subarray(body.length - tagLength));
        resolve(Buffer.concat([decipher.update(body.subarray(0, body.length - tagLength)), decipher.final()]));
      } catch (error) {
        throw new SecretUnreadableError({ cause: error });
      }
    });
  }
}

/** The same associated data as `EnvelopeSecretBox`'s, so both boxes bind a secret to the same things. */
function associatedData(appId: string, userId: string): Buffer {
  return Buffer.from(JSON.stringify(['totp-secret/v1', appId, userId]), 'utf8');
}
