import { DocumentClient } from '../adapters/dynamodb/document-client.js';
import { createDynamoRepositories } from '../adapters/dynamodb/repositories.js';
import { maxAttemptsPerChallenge } from '../core/lockout.js';
import type { Dependencies, SecretBox } from '../core/ports.js';
import { tableName } from './config.js';

/**
 * The secret box of a step that is not granted the secrets key (`kms: 'none'` in functions/routes.ts): using it
 * is a deployment mistake, so it fails loudly instead of reaching KMS without permission.
 */
const noSecrets: SecretBox = {
  seal: () => refuse(),
  open: () => refuse(),
  createDataKey: () => refuse(),
};

function refuse(): Promise<never> {
  return Promise.reject(new Error('This step is not granted the secrets key: its handler imports commons/table-dependencies.ts'));
}

let built: Dependencies | undefined;

/**
 * The adapters of a step that touches no secret: the table's repositories and the clock, built once per process
 * on first use and kept warm between invocations. This module imports no KMS client, so a step's bundle carries
 * one only when its handler imports `commons/dependencies.ts` instead (the steps granted the key).
 */
export function dependencies(): Dependencies {
  built ??= {
    ...createDynamoRepositories(new DocumentClient(), tableName(), { maxAttemptsPerChallenge }),
    secrets: noSecrets,
    clock: () => Date.now(),
  };
  return built;
}
