import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientSettings } from '../adapters/aws-client-settings.js';
import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { createDynamoRepositories } from '../adapters/dynamodb/repositories.js';
import { EnvelopeSecretBox } from '../adapters/kms/envelope-secret-box.js';
import { maxAttemptsPerChallenge } from '../core/lockout.js';
import type { Dependencies, SecretBox } from '../core/ports.js';
import { kmsKeyId, tableName } from './config.js';

let built: Dependencies | undefined;

/**
 * The adapters every use case gets, built once per process on first use and kept warm between
 * invocations. The secret box (and its KMS client and data-key cache) is built on its first use, because
 * only the steps that touch secrets are configured with the KMS key.
 */
export function dependencies(): Dependencies {
  if (!built) {
    const repositories = createDynamoRepositories(createDocumentClient(), tableName(), { maxAttemptsPerChallenge });
    const clock = () => Date.now();
    let box: EnvelopeSecretBox | undefined;
    const secretBox = () => (box ??= new EnvelopeSecretBox(new KMSClient({ ...awsClientSettings }), kmsKeyId(), repositories.apps, clock));
    const secrets: SecretBox = {
      seal: (app, userId, secret) => secretBox().seal(app, userId, secret),
      open: (appId, userId, sealed) => secretBox().open(appId, userId, sealed),
      createDataKey: (appId) => secretBox().createDataKey(appId),
    };
    built = { ...repositories, secrets, clock };
  }
  return built;
}
