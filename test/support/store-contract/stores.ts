import { expect } from '@jest/globals';
import { DocumentClient } from '../../../functions/adapters/dynamodb/document-client.js';
import { createDynamoRepositories } from '../../../functions/adapters/dynamodb/repositories.js';
import { createMemoryRepositories } from '../../../functions/adapters/memory/repositories.js';
import { ConditionFailedError, type ConflictReason, ValidationError } from '../../../functions/core/errors.js';
import type { Repositories, StoreLimits } from '../../../functions/core/ports.js';

/**
 * The store implementations the contract runs against. The limit is not core's 5, so a store that reads
 * core's constant instead of the limits it was given fails the cases that count attempts.
 */
export const limits: StoreLimits = { maxAttemptsPerChallenge: 3 };

/** One store under test: its name in the test titles and its repositories. */
export interface StoreUnderTest {
  name: string;
  repositories: () => Repositories;
}

let client: DocumentClient | undefined;

/** The service's own DynamoDB client, straight to DynamoDB Local (not through the tests' fault switch). */
function dynamoClient(): DocumentClient {
  const endpoint = process.env.TWOFA_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TWOFA_DYNAMODB_ENDPOINT is not set: run the contract through jest (its global setup starts the stack)');
  client ??= new DocumentClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return client;
}

export const stores: StoreUnderTest[] = [
  { name: 'memory', repositories: () => createMemoryRepositories(limits) },
  {
    name: 'DynamoDB',
    repositories: () => {
      const tableName = process.env.TWOFA_TABLE_NAME;
      if (!tableName) throw new Error('TWOFA_TABLE_NAME is not set');
      return createDynamoRepositories(dynamoClient(), tableName, limits);
    },
  },
];

/** For `afterAll`: the DynamoDB client holds sockets open. */
export function closeStores(): void {
  client?.destroy();
  client = undefined;
}

/** What a call rejected with (fails the test when it fulfilled). */
export async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** The call lost its conditional write for `reason`. */
export async function expectConflict(call: Promise<unknown>, reason: ConflictReason): Promise<void> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(ConditionFailedError);
  expect(error instanceof ConditionFailedError && error.reason).toBe(reason);
}

/** The listing refused the cursor as a client's mistake on `cursor`. */
export async function expectBadCursor(call: Promise<unknown>): Promise<void> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(ValidationError);
  expect(error instanceof ValidationError && error.details.issues).toEqual([expect.objectContaining({ path: 'cursor' })]);
}

/**
 * Of calls made at once, exactly one was accepted; every other one lost with one of `reasons`. Returns the
 * index of the winner.
 */
export async function expectOneWinner(calls: Promise<unknown>[], reasons: ConflictReason[]): Promise<number> {
  const outcomes = await Promise.allSettled(calls);
  const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
  expect(winners).toHaveLength(1);
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    expect(outcome.reason).toBeInstanceOf(ConditionFailedError);
    expect(reasons).toContain(outcome.reason instanceof ConditionFailedError && outcome.reason.reason);
  }
  return winners[0]!;
}
