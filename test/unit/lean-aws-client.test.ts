import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AwsServiceError } from '../../functions/adapters/aws-json/retries.js';
import { DocumentClient, cancellationReasons, refusedItem } from '../../functions/adapters/dynamodb/document-client.js';
import { Table } from '../../functions/adapters/dynamodb/table.js';
import { KmsClient } from '../../functions/adapters/kms/kms-client.js';
import { DeadlineExceededError, withinDeadline } from '../../functions/commons/request-deadline.js';
import { ConditionFailedError } from '../../functions/core/errors.js';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { type KmsStandIn, startKmsStandIn } from '../../local/kms-stand-in.js';
import { type AwsJsonDouble, type ScriptedAnswer, signatureIsValid, startAwsJsonDouble } from '../support/aws-json-double.js';

/**
 * The lean DynamoDB and KMS client (functions/adapters/aws-json) at its protocol edges, against DynamoDB Local
 * and the KMS stand-in, which speak the real wire protocols; a loopback double stands in for the network
 * where a throttle, a fault or a hang is needed on demand.
 */
const tableName = 'lean-client';
const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dynamo: DynamoDbLocal;
let kms: KmsStandIn;
let db: DocumentClient;
let keyArn: string;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  await ensureTable(dynamo.endpoint, tableName);
  kms = await startKmsStandIn();
  keyArn = await kms.createKey('lean client');
  db = new DocumentClient({ endpoint: dynamo.endpoint, region, credentials });
}, 90_000);

afterAll(async () => {
  db.destroy();
  await kms.close();
  await dynamo.stop();
});

/** What a call rejected with (fails the test when it fulfilled). */
async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const itemKey = (name: string) => ({ pk: `LEAN#${name}`, sk: 'ITEM' });

describe('the lean DynamoDB client against DynamoDB Local', () => {
  it('writes and reads items with every attribute type the codecs use', async () => {
    const item = { ...itemKey('types'), text: 'a', count: 7, flag: true, none: null, list: [1, 'b'], map: { nested: 2 } };

    await db.put({ TableName: tableName, Item: { ...item, dropped: undefined } });
    const found = await db.get({ TableName: tableName, Key: itemKey('types'), ConsistentRead: true });
    const updated = await db.update({
      TableName: tableName,
      Key: itemKey('types'),
      UpdateExpression: 'SET #count = #count + :one',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    });
    const page = await db.query({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': item.pk },
      ConsistentRead: true,
    });
    const batch = await db.batchGet(tableName, [itemKey('types'), itemKey('absent')], true);

    expect(found).toEqual(item);
    expect(updated).toEqual({ count: 8 });
    expect(page).toEqual({ items: [{ ...item, count: 8 }], lastKey: undefined });
    expect(batch).toEqual({ items: [{ ...item, count: 8 }], unprocessed: [] });
  });

  it('answers a refused condition as ConditionalCheckFailedException with the item it found', async () => {
    const item = { ...itemKey('refused'), state: 'first' };
    await db.put({ TableName: tableName, Item: item });

    const error = await rejectionOf(
      db.put({
        TableName: tableName,
        Item: { ...item, state: 'second' },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );

    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $fault: 'client' });
    expect(refusedItem(error as AwsServiceError)).toEqual(item);
    // The item stays off what a log serializes of the error.
    expect(JSON.stringify(error)).not.toContain('first');
  });

  it('gives the Table the refused item to choose the reason from', async () => {
    const table = new Table(db, tableName);
    await db.put({ TableName: tableName, Item: { ...itemKey('reason'), state: 'locked' } });

    const error = await rejectionOf(
      table.write({
        item: table.put({ ...itemKey('reason'), state: 'open' }, { text: 'attribute_not_exists(pk)' }),
        reason: (found) => (found?.state === 'locked' ? 'user_changed' : 'user_exists'),
      }),
    );

    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as ConditionFailedError).reason).toBe('user_changed');
  });

  it("answers a cancelled transaction with each write's reason and the item its condition found", async () => {
    const existing = { ...itemKey('cancelled'), state: 'taken' };
    await db.put({ TableName: tableName, Item: existing });

    const error = await rejectionOf(
      db.transactWrite([
        { Put: { TableName: tableName, Item: { ...itemKey('cancelled-other'), state: 'new' } } },
        {
          Put: {
            TableName: tableName,
            Item: { ...existing, state: 'mine' },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]),
    );

    expect(error).toMatchObject({ name: 'TransactionCanceledException' });
    expect(cancellationReasons(error as AwsServiceError)).toEqual([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: existing }]);
    expect(await db.get({ TableName: tableName, Key: itemKey('cancelled-other'), ConsistentRead: true })).toBeUndefined();
  });
});

describe('the lean KMS client against the KMS stand-in', () => {
  it('generates a data key that decrypts under the same context only', async () => {
    const client = new KmsClient({ endpoint: kms.url, region, credentials });
    try {
      const dataKey = await client.generateDataKey({ keyId: keyArn, encryptionContext: { appId: 'app-1' } });
      const opened = await client.decrypt({ keyId: keyArn, ciphertextBlob: dataKey.ciphertextBlob, encryptionContext: { appId: 'app-1' } });
      const refused = await rejectionOf(
        client.decrypt({ keyId: keyArn, ciphertextBlob: dataKey.ciphertextBlob, encryptionContext: { appId: 'app-2' } }),
      );

      expect(dataKey.plaintext).toHaveLength(32);
      expect(opened).toEqual(dataKey.plaintext);
      expect(refused).toBeInstanceOf(AwsServiceError);
      expect(refused).toMatchObject({ name: 'InvalidCiphertextException' });
    } finally {
      client.destroy();
    }
  });
});

describe('the lean client on the wire', () => {
  let double: AwsJsonDouble | undefined;
  let client: DocumentClient | undefined;
  const saved = { ...process.env };

  afterEach(async () => {
    client?.destroy();
    await double?.close();
    process.env = { ...saved };
  });

  async function against(answers: ScriptedAnswer[]): Promise<{ double: AwsJsonDouble; client: DocumentClient }> {
    double = await startAwsJsonDouble(answers);
    client = new DocumentClient({ endpoint: double.url, region, credentials: { ...credentials, sessionToken: 'session' } });
    return { double, client };
  }

  const found = { status: 200, body: { Item: { pk: { S: 'p' }, sk: { S: 's' } } } };
  const throttle = { status: 400, errorType: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', body: { message: 'slow down' } };

  it('signs each request with SigV4 for the service, region and session, over its target and body', async () => {
    const { double, client } = await against([found]);

    await client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } });

    const [request] = double.received;
    expect(request?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request?.headers['x-amz-security-token']).toBe('session');
    expect(request?.headers.authorization).toMatch(/Credential=local\/\d{8}\/us-east-1\/dynamodb\/aws4_request/);
    expect(signatureIsValid(request!, 'local')).toBe(true);
    expect(signatureIsValid(request!, 'another secret')).toBe(false);
    expect(signatureIsValid({ ...request!, body: `${request!.body} ` }, 'local')).toBe(false);
  });

  it('retries a throttle under the same invocation id and answers the retry', async () => {
    const { double, client } = await against([throttle, found]);

    const item = await client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } });

    expect(item).toEqual({ pk: 'p', sk: 's' });
    expect(double.received.map((request) => request.headers['amz-sdk-request'])).toEqual(['attempt=1; max=3', 'attempt=2; max=3']);
    expect(new Set(double.received.map((request) => request.headers['amz-sdk-invocation-id'])).size).toBe(1);
  });

  it('gives up on a server fault after three attempts with its error', async () => {
    const { double, client } = await against([{ status: 500, errorType: 'InternalServerError', body: {} }]);

    const failed = await rejectionOf(client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } }));

    expect(double.received).toHaveLength(3);
    expect(failed).toMatchObject({ name: 'InternalServerError', $fault: 'server' });
  });

  it('sends a transaction with an idempotency token, the same on each retry, so a retry of one that committed succeeds', async () => {
    const { double, client } = await against([
      { status: 500, errorType: 'InternalServerError', body: {} },
      { status: 200, body: {} },
    ]);

    await client.transactWrite([{ Put: { TableName: tableName, Item: { pk: 'p', sk: 's' } } }]);
    await client.transactWrite([{ Put: { TableName: tableName, Item: { pk: 'p', sk: 's' } } }]);

    const tokens = double.received.map((request) => (JSON.parse(request.body) as { ClientRequestToken?: string }).ClientRequestToken);
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('never retries a client error', async () => {
    const { double, client } = await against([
      { status: 400, errorType: 'com.amazon.coral.validate#ValidationException', body: { message: 'bad' } },
    ]);

    const invalid = await rejectionOf(client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } }));

    expect(double.received).toHaveLength(1);
    expect(invalid).toMatchObject({ name: 'ValidationException', message: 'bad', $fault: 'client' });
  });

  it('abandons an attempt that gets no answer within the request timeout and retries it', async () => {
    const { double, client } = await against(['hang', found]);

    const started = Date.now();
    const item = await client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } });

    expect(item).toEqual({ pk: 'p', sk: 's' });
    expect(double.received).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it("gives up at the request's deadline, in flight and before the next attempt", async () => {
    const { double, client } = await against(['hang']);

    const started = Date.now();
    const error = await rejectionOf(
      withinDeadline(Date.now() + 300, () => client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } })),
    );
    const elapsed = Date.now() - started;
    const late = await rejectionOf(withinDeadline(Date.now() - 1, () => client.get({ TableName: tableName, Key: { pk: 'p', sk: 's' } })));

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(elapsed).toBeLessThan(1_500);
    expect(late).toBeInstanceOf(DeadlineExceededError);
    expect(double.received).toHaveLength(1);
  });

  it('takes the endpoint, region and credentials from the environment as the SDK does', async () => {
    double = await startAwsJsonDouble([{ status: 200, body: { Plaintext: Buffer.alloc(32, 1).toString('base64') } }]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_KMS: double.url,
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'AKIAENV',
      AWS_SECRET_ACCESS_KEY: 'from-env',
    });
    delete process.env.AWS_SESSION_TOKEN;
    const fromEnvironment = new KmsClient();

    try {
      await fromEnvironment.decrypt({ keyId: 'key', ciphertextBlob: Buffer.from('wrapped'), encryptionContext: { appId: 'a' } });
    } finally {
      fromEnvironment.destroy();
    }

    const [request] = double.received;
    expect(request?.headers['x-amz-target']).toBe('TrentService.Decrypt');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request?.headers.authorization).toMatch(/Credential=AKIAENV\/\d{8}\/eu-west-3\/kms\/aws4_request/);
    expect(signatureIsValid(request!, 'from-env')).toBe(true);
    expect(JSON.parse(request!.body)).toEqual({
      KeyId: 'key',
      CiphertextBlob: Buffer.from('wrapped').toString('base64'),
      EncryptionContext: { appId: 'a' },
    });
  });
});
