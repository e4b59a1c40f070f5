import { functionEnvironment } from '../routes.js';

/** Reads a required environment variable once; a missing one is a deployment error, so it throws. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

export interface ServiceConfig {
  tableName: string;
  kmsKeyId: string;
}

export function readServiceConfig(): ServiceConfig {
  return { tableName: requireEnv(functionEnvironment.tableName), kmsKeyId: requireEnv(functionEnvironment.kmsKeyId) };
}
