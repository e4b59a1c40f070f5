import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretUnreadableError } from '../../core/errors.js';
import type { App, Clock, SealedSecret } from '../../core/model.js';
import type { SecretBox } from '../../core/ports.js';
import { newId } from '../../core/tokens.js';
import { AwsServiceError } from '../aws-json/retries.js';
import type { KmsClient } from './kms-client.js';

/** Where the wrapped data keys are kept (the table, beside their app). */
export interface WrappedDataKeySource {
  getWrappedDataKey(appId: string, keyId: string): Promise<string | null>;
}

/** A plaintext data key stays in memory at most this long, so a warm verification makes no KMS call. */
const dataKeyCacheMs = 5 * 60 * 1000;

interface CachedDataKey {
  key: Buffer;
  loadedAt: number;
}

/**
 * Envelope encryption of TOTP secrets: AES-256-GCM under a per-app data key that KMS generated with the
 * encryption context `{appId}` and that is stored only wrapped. The associated data binds each ciphertext
 * to its app and user, so a sealed secret copied onto another user's item does not open.
 */
export class EnvelopeSecretBox implements SecretBox {
  private readonly cache = new Map<string, CachedDataKey>();

  constructor(
    private readonly kms: KmsClient,
    private readonly kmsKeyId: string,
    private readonly wrappedKeys: WrappedDataKeySource,
    private readonly clock: Clock,
  ) {}

  async createDataKey(appId: string): Promise<{ keyId: string; wrappedKey: string }> {
    const dataKey = await this.kms.generateDataKey({ keyId: this.kmsKeyId, encryptionContext: { appId } });
    dataKey.plaintext.fill(0);
    return { keyId: newId('dk'), wrappedKey: dataKey.ciphertextBlob.toString('base64') };
  }

  async seal(app: App, userId: string, secret: Uint8Array): Promise<SealedSecret> {
    const key = await this.dataKey(app.id, app.dataKeyId);
    if (!key) throw new Error(`data key ${app.dataKeyId} of app ${app.id} is missing`);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(associatedData(app.id, userId));
    const ciphertext = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]);
    return { v: 1, keyId: app.dataKeyId, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64') };
  }

  async open(appId: string, userId: string, sealed: SealedSecret): Promise<Buffer> {
    // A secret naming a data key this app does not have, or one KMS will not unwrap for this app (wrapped
    // under another app's encryption context), was moved here from elsewhere: it opens nothing.
    const key = await this.dataKey(appId, sealed.keyId).catch((error: unknown) => {
      throw error instanceof AwsServiceError && error.name === 'InvalidCiphertextException'
        ? new SecretUnreadableError({ cause: error })
        : error;
    });
    if (!key) throw new SecretUnreadableError();
    const body = Buffer.from(sealed.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(associatedData(appId, userId));
    try {
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    } catch (error) {
      throw new SecretUnreadableError({ cause: error });
    }
  }

  /** The plaintext data key `keyId` of the app, or null when the app has no such key. */
  private async dataKey(appId: string, keyId: string): Promise<Buffer | null> {
    const cacheKey = `${appId}/${keyId}`;
    const now = this.clock();
    const cached = this.cache.get(cacheKey);
    if (cached && now - cached.loadedAt < dataKeyCacheMs) return cached.key;
    if (cached) {
      cached.key.fill(0);
      this.cache.delete(cacheKey);
    }
    const wrapped = await this.wrappedKeys.getWrappedDataKey(appId, keyId);
    if (!wrapped) return null;
    // The encryption context makes KMS refuse to unwrap one app's key on behalf of another app.
    const key = await this.kms.decrypt({
      keyId: this.kmsKeyId,
      ciphertextBlob: Buffer.from(wrapped, 'base64'),
      encryptionContext: { appId },
    });
    this.cache.set(cacheKey, { key, loadedAt: now });
    return key;
  }
}

function associatedData(appId: string, userId: string): Buffer {
  return Buffer.from(JSON.stringify(['totp-secret/v1', appId, userId]), 'utf8');
}
