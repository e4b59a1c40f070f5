import { randomUUID } from 'node:crypto';

/** The request header that puts an API request under a work meter of the test stack (stack-work-meter.ts). */
export const workMeterHeader = 'x-twofa-test-work-meter';

/** What the stack did to answer one request. */
export interface RequestWork {
  /** AWS calls by service (`dynamodb`, `kms`, `events`) and operation, e.g. `{dynamodb: {GetItem: 4}}`. */
  aws: Record<string, Record<string, number>>;
  /** Each Argon2 computation, in order, with its cost: `argon2id m=19456,t=2,p=1`. */
  argon2: string[];
}

/**
 * Sends one request (through `send`, with the headers it is given) under a fresh work meter of the test
 * stack, and returns its answer with the work the stack did for it.
 */
export async function measureWork<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<{ answer: T; work: RequestWork }> {
  const baseUrl = process.env.TWOFA_WORK_METER_URL;
  if (!baseUrl) throw new Error('TWOFA_WORK_METER_URL is not set: run the tests through jest (its global setup starts the stack)');
  const id = randomUUID();
  const url = `${baseUrl}/${id}`;
  const opened = await fetch(url, { method: 'PUT' });
  if (opened.status !== 204) throw new Error(`work meter answered ${opened.status}`);
  const answer = await send({ [workMeterHeader]: id });
  const read = await fetch(url);
  if (read.status !== 200) throw new Error(`work meter answered ${read.status}`);
  return { answer, work: (await read.json()) as RequestWork };
}
