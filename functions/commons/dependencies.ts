import { EnvelopeSecretBox } from '../adapters/kms/envelope-secret-box.js';
import { KmsClient } from '../adapters/kms/kms-client.js';
import type { Dependencies, SecretBox } from '../core/ports.js';
import { kmsKeyId } from './config.js';
import { dependencies as tableDependencies } from './table-dependencies.js';

let built: Dependencies | undefined;

/**
 * The adapters of a step that touches secrets (granted the KMS key in functions/routes.ts): the table's
 * repositories and clock of `commons/table-dependencies.ts`, the same instances, with the envelope secret box.
 * Only these steps' handlers (and the local stack) import this module, so only their bundles carry the KMS
 * client. The box (its client and data-key cache) is built on its first use.
 */
export function dependencies(): Dependencies {
  if (!built) {
    const table = tableDependencies();
    let box: EnvelopeSecretBox | undefined;
    const secretBox = () => (box ??= new EnvelopeSecretBox(new KmsClient(), kmsKeyId(), table.apps, table.clock));
    const secrets: SecretBox = {
      seal: (app, userId, secret) => secretBox().seal(app, userId, secret),
      open: (appId, userId, sealed) => secretBox().open(appId, userId, sealed),
      createDataKey: (appId) => secretBox().createDataKey(appId),
    };
    built = { ...table, secrets };
  }
  return built;
}
