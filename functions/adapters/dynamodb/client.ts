import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientSettings, withRequestDeadlines } from '../aws-client-settings.js';

/**
 * One document client per process, built at module load. The endpoint comes from the SDK's own
 * `AWS_ENDPOINT_URL_DYNAMODB` when set (the local stack), so no endpoint code exists in production paths.
 * Timeouts and retries: see `awsClientSettings`, bounded by the request's deadline (`withRequestDeadlines`).
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(withRequestDeadlines(new DynamoDBClient({ ...awsClientSettings })), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
