import { functionEnvironment } from '../routes.js';

/** Reads a required environment variable; a missing one is a deployment error, so it throws. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/** The table every step but `health` uses. */
export function tableName(): string {
  return requireEnv(functionEnvironment.tableName);
}

/** The KMS key; only steps that touch secrets are given it (and the permission to use it). */
export function kmsKeyId(): string {
  return requireEnv(functionEnvironment.kmsKeyId);
}

/** The bus security events go to; only the event publisher is given it. */
export function eventBusName(): string {
  return requireEnv(functionEnvironment.eventBusName);
}

/** The notifier's sender and SES configuration set; only the notifier is given them. */
export function sesSender(): { fromAddress: string; configurationSet: string } {
  return {
    fromAddress: requireEnv(functionEnvironment.senderAddress),
    configurationSet: requireEnv(functionEnvironment.sesConfigurationSet),
  };
}

/** The queue that keeps security events EventBridge refused, whole; only the event publisher is given it. */
export function deadLetterQueueUrl(): string {
  return requireEnv(functionEnvironment.deadLetterQueueUrl);
}
