import { DocumentClient } from './document-client.js';

/**
 * One DynamoDB client per process. The endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`)
 * when set, as the SDK reads it (the local stack), so no endpoint code exists in production paths. Timeouts
 * and retries: `awsCallLimits`, bounded by the request's deadline (`withinDeadline`).
 */
export function createDocumentClient(): DocumentClient {
  return new DocumentClient();
}
