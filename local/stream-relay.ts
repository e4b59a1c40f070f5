import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

export interface StreamRelay {
  stop(): Promise<void>;
}

/**
 * Does locally what Lambda's event source mapping does in AWS: reads the table's stream (DynamoDB Local
 * serves one) and hands each batch to the same handler module, retrying from the record it reports as
 * failed. Starts at the stream's end, so a restart with a data folder does not replay old events.
 */
export async function startStreamRelay(options: {
  /** DynamoDB Local, which serves the streams API too. */
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  pollMs?: number;
}): Promise<StreamRelay> {
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // The streams API's own listing, as the event source mapping needs no table permission to find the stream.
  const listed = await streams.send(new ListStreamsCommand({ TableName: options.tableName }));
  // The newest stream (labels are creation times) is the table's current one.
  const [newest] = (listed.Streams ?? []).sort((a, b) => (b.StreamLabel ?? '').localeCompare(a.StreamLabel ?? ''));
  const streamArn = newest?.StreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const pollMs = options.pollMs ?? 100;

  /** Open shards and where to read next; `null` once a shard is closed and read to its end. */
  const iterators = new Map<string, string | null>();
  /** The last record of each shard the handler took: where reading resumes after the iterators are lost. */
  const handled = new Map<string, string>();
  /**
   * Where each shard was first read from: its end for those open when the relay started, its start for those
   * found later. A shard read again before any of its records was handled starts there again, so neither
   * skips records (its end, read anew, would) nor replays the history from before the relay started.
   */
  const firstReadFrom = new Map<string, 'LATEST' | 'TRIM_HORIZON'>();
  const discoverShards = async (position: 'LATEST' | 'TRIM_HORIZON') => {
    const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const from = firstReadFrom.get(shard.ShardId) ?? position;
      firstReadFrom.set(shard.ShardId, from);
      // Shards already closed when the relay starts hold only history.
      if (from === 'LATEST' && shard.SequenceNumberRange?.EndingSequenceNumber && !handled.has(shard.ShardId)) {
        iterators.set(shard.ShardId, null);
        continue;
      }
      const after = handled.get(shard.ShardId);
      const iterator = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: from }),
        }),
      );
      iterators.set(shard.ShardId, iterator.ShardIterator ?? null);
    }
  };
  await discoverShards('LATEST');

  /** Hands a batch to the handler; true when it reported a failure and the shard's position was moved back to it. */
  const deliver = async (shardId: string, records: StreamRecord[]): Promise<boolean> => {
    const event = { Records: records.map(lambdaRecord) } as DynamoDBStreamEvent;
    const failed = (await options.handler(event).catch(() => ({ batchItemFailures: [{ itemIdentifier: sequenceNumberOf(records[0]) }] })))
      .batchItemFailures;
    const [firstFailure] = failed;
    if (!firstFailure) {
      handled.set(shardId, sequenceNumberOf(records.at(-1)));
      return false;
    }
    const firstFailed = records.findIndex((record) => record.dynamodb?.SequenceNumber === firstFailure.itemIdentifier);
    if (firstFailed > 0) handled.set(shardId, sequenceNumberOf(records[firstFailed - 1]));
    // As the event source mapping does: read again from the first record the handler could not take.
    const retry = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: firstFailure.itemIdentifier,
      }),
    );
    iterators.set(shardId, retry.ShardIterator ?? null);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return true;
  };

  let stopRequested = false;
  // Read through a call: `stop()` sets the flag while the loop awaits, and TypeScript would narrow a plain read to `false`.
  const stopped = () => stopRequested;
  let rounds = 0;
  /** Failed rounds in a row: a passing error retries the same positions; only a persistent one starts over. */
  let failedRounds = 0;
  const loop = (async () => {
    while (!stopped()) {
      try {
        if (rounds++ % 10 === 0) await discoverShards('TRIM_HORIZON');
        for (const [shardId, iterator] of iterators) {
          if (!iterator || stopped()) continue;
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
          // The position moves on only once the batch is handled (deliver moves it back to a failed record), so
          // an error on the way reads the same records again instead of skipping them.
          if (page.Records && page.Records.length > 0) {
            const next = page.NextShardIterator ?? null;
            if (!(await deliver(shardId, page.Records))) iterators.set(shardId, next);
          } else {
            iterators.set(shardId, page.NextShardIterator ?? null);
          }
        }
        failedRounds = 0;
      } catch (error) {
        process.stderr.write(`stream relay: ${error instanceof Error ? error.name : String(error)}, reading again\n`);
        // DynamoDB Local restarting or an iterator expired: after a few failed rounds, read the shards again, each
        // from after the last record handled (so nothing is skipped), or from where it was first read.
        if (++failedRounds >= 3) {
          iterators.clear();
          await discoverShards('LATEST').catch(() => undefined);
          failedRounds = 0;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();

  return {
    stop: async () => {
      stopRequested = true;
      await loop;
      streams.destroy();
    },
  };
}

/** Where a record sits in its shard; every record a stream hands out has one. */
function sequenceNumberOf(record: StreamRecord | undefined): string {
  const sequenceNumber = record?.dynamodb?.SequenceNumber;
  if (sequenceNumber === undefined) throw new Error('a stream record without a sequence number');
  return sequenceNumber;
}

/** The stream record as Lambda delivers it (dates as epoch seconds). */
function lambdaRecord(record: StreamRecord): unknown {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: record.eventVersion,
    awsRegion: 'us-east-1',
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: record.dynamodb?.ApproximateCreationDateTime
        ? record.dynamodb.ApproximateCreationDateTime.getTime() / 1000
        : undefined,
    },
  };
}
