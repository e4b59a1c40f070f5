import { KMSClient } from '@aws-sdk/client-kms';
import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { DynamoTwoFactorStore } from '../adapters/dynamodb/two-factor-store.js';
import { EnvelopeSecretBox } from '../adapters/kms/envelope-secret-box.js';
import type { Dependencies } from '../core/ports.js';
import { readServiceConfig } from './config.js';

let built: Dependencies | undefined;

/**
 * The adapters every use case gets, built once per process on first use and kept warm between
 * invocations (the KMS data-key cache lives in the secret box).
 */
export function dependencies(): Dependencies {
  if (!built) {
    const config = readServiceConfig();
    const store = new DynamoTwoFactorStore(createDocumentClient(), config.tableName);
    const clock = () => Date.now();
    built = { store, secrets: new EnvelopeSecretBox(new KMSClient({ maxAttempts: 3 }), config.kmsKeyId, store, clock), clock };
  }
  return built;
}
