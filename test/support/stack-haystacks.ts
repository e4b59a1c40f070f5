import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Haystack } from './leak-scan.js';

/**
 * Every attribute of every item of the table (all Scan pages), one haystack per attribute, named by the
 * item's key and the attribute's path. Binary values are searched as base64, as hex and as text.
 */
export async function tableHaystacks(endpoint: string, tableName: string): Promise<Haystack[]> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const haystacks: Haystack[] = [];
  try {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) {
        const itemName = `table item pk=${item.pk?.S ?? '?'} sk=${item.sk?.S ?? '?'}`;
        for (const [name, value] of Object.entries(item))
          flatten(value, name, (path, text) => haystacks.push({ where: `${itemName}, attribute ${path}`, text }));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return haystacks;
}

function flatten(value: AttributeValue, path: string, emit: (path: string, text: string) => void): void {
  if (value.S !== undefined) emit(path, value.S);
  else if (value.N !== undefined) emit(path, value.N);
  else if (value.B !== undefined) emit(path, binaryText(value.B));
  else if (value.SS) emit(path, value.SS.join('\n'));
  else if (value.NS) emit(path, value.NS.join('\n'));
  else if (value.BS) emit(path, value.BS.map(binaryText).join('\n'));
  else if (value.L) value.L.forEach((element, index) => flatten(element, `${path}[${index}]`, emit));
  else if (value.M) {
    for (const [name, element] of Object.entries(value.M)) {
      // A map's keys are data too (the backup codes are keyed by their hashes): search them.
      emit(`${path} (key)`, name);
      flatten(element, `${path}.${name.length > 24 ? `${name.slice(0, 12)}…` : name}`, emit);
    }
  }
}

function binaryText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes);
  return `${buffer.toString('base64')}\n${buffer.toString('hex')}\n${buffer.toString('latin1')}`;
}

/** Whether a log line is a CloudWatch embedded-metric-format record (Powertools Metrics). */
export function isMetricLine(text: string): boolean {
  return text.startsWith('{') && text.includes('"_aws":') && text.includes('"CloudWatchMetrics"');
}

/**
 * Every line the stack process wrote to stdout or stderr, one haystack per line: the handlers' log lines, the
 * EMF metric lines (named as such, their properties such as `appId` and `correlationId` included) and the
 * printed security events.
 */
export function logHaystacks(logFile: string): Haystack[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .map((text, index) => ({ where: `${basename(logFile)} ${isMetricLine(text) ? 'EMF metric line' : 'line'} ${index + 1}`, text }))
    .filter((line) => line.text.length > 0);
}

/** Every file of the mail folder (each email as .json, .txt and .html), one haystack per file. */
export function mailHaystacks(mailDir: string): Haystack[] {
  if (!existsSync(mailDir)) return [];
  return readdirSync(mailDir)
    .sort()
    .map((name) => ({ where: `mail file ${name}`, text: readFileSync(join(mailDir, name), 'utf8') }));
}
