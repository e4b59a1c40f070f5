/**
 * A local stand-in for AWS KMS that speaks KMS's own JSON wire protocol (awsJson1_1), so the
 * unmodified `@aws-sdk/client-kms` can run against it by pointing `endpoint` (or
 * `AWS_ENDPOINT_URL_KMS`) at {@link KmsStandIn.url}. Only the operations the 2FA service needs
 * are served, and they fail the way KMS fails, because the service's security tests depend on
 * KMS refusing ciphertexts whose encryption context, key or bytes do not match.
 *
 * SigV4 signatures are not checked: this runs on a developer's machine or in CI, never as a
 * security boundary.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options for {@link startKmsStandIn}. */
export interface KmsStandInOptions {
  /** TCP port to listen on; 0 (the default) picks a free port, read it back from {@link KmsStandIn.url}. */
  port?: number;
  /** Interface to bind; defaults to '127.0.0.1' so the stand-in is not reachable from the network. */
  host?: string;
  /** Region used in key ARNs; defaults to 'us-east-1'. */
  region?: string;
  /**
   * JSON file holding the master keys. Loaded on start and rewritten atomically (mode 0600) whenever
   * a key is created, so a restarted stand-in can still decrypt what an earlier one encrypted.
   * Without it keys live only in memory and die with the process.
   */
  dataFile?: string;
}

/** A running KMS stand-in. */
export interface KmsStandIn {
  /** Base URL to give the SDK as `endpoint`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Creates a symmetric key (as KMS `CreateKey` does) and returns its ARN. */
  createKey(description?: string): Promise<string>;
  /** Stops listening, drops open connections and waits for any pending key-file write. */
  close(): Promise<void>;
}

/** The account every stand-in key belongs to, the same placeholder LocalStack and friends use. */
const ACCOUNT_ID = '000000000000';
const TARGET_PREFIX = 'TrentService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_REQUEST_BYTES = 1024 * 1024;

/** KMS's own limits, so a request that works here does not fail against the real service. */
const MAX_ENCRYPT_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BLOB_BYTES = 6144;
const MAX_DATA_KEY_BYTES = 1024;
const MAX_KEY_ID_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 8192;

/**
 * Ciphertext blob layout: version (1) | key id as raw uuid bytes (16) | IV (12) | GCM tag (16) | ciphertext.
 * The key id travels in the blob because KMS lets `Decrypt` omit KeyId.
 */
const BLOB_VERSION = 1;
const KEY_ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES;
const BLOB_OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;

const DATA_FILE_FORMAT = 1;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface MasterKey {
  keyId: string;
  description: string;
  /** Epoch seconds, which is how KMS puts timestamps on the wire. */
  creationDate: number;
  material: Buffer;
}

interface StoredKey {
  keyId: string;
  description: string;
  creationDate: number;
  material: string;
}

type JsonObject = Record<string, unknown>;
/** Context entries as received; a list, not an object, so no key can collide with Object.prototype. */
type EncryptionContext = Array<[string, string]>;

/** An error KMS would return; `type` becomes `__type` and `x-amzn-ErrorType`. */
class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const validation = (message: string): KmsError => new KmsError('ValidationException', message);

/** Thrown for every way a blob can fail to open, so callers cannot tell tampering from a wrong context. */
const invalidCiphertext = (): KmsError => new KmsError('InvalidCiphertextException', '');

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(request: JsonObject, field: string, maxLength: number): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > maxLength) {
    throw validation(`1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint`);
  }
  return value;
}

function requiredString(request: JsonObject, field: string, maxLength: number): string {
  const value = optionalString(request, field, maxLength);
  if (value === undefined) {
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function requiredBlob(request: JsonObject, field: string, maxBytes: number): Buffer {
  const encoded = requiredString(request, field, Math.ceil(maxBytes / 3) * 4);
  if (!BASE64_PATTERN.test(encoded)) throw validation(`Value at '${lowerFirst(field)}' is not valid base64`);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 1 || bytes.length > maxBytes) {
    throw validation(
      `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: Member must have length between 1 and ${maxBytes}`,
    );
  }
  return bytes;
}

function encryptionContextOf(request: JsonObject): EncryptionContext {
  const value = request['EncryptionContext'];
  if (value === undefined || value === null) return [];
  if (!isObject(value)) throw validation("Value at 'encryptionContext' must be a map of strings");
  const context: EncryptionContext = [];
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw validation("Value at 'encryptionContext' must be a map of strings");
    context.push([key, entry]);
  }
  return context;
}

/**
 * The AAD that binds an encryption context to a blob. Key order must not matter (KMS treats the
 * context as a map), and an absent context equals an empty one, as in KMS. Pairs rather than an
 * object keep keys such as `__proto__` from vanishing out of the AAD.
 */
function canonicalContext(context: EncryptionContext): Buffer {
  const sorted = [...context].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

function rejectUnsupportedAlgorithm(request: JsonObject): void {
  const algorithm = request['EncryptionAlgorithm'];
  if (algorithm !== undefined && algorithm !== null && algorithm !== 'SYMMETRIC_DEFAULT') {
    // Symmetric keys only do SYMMETRIC_DEFAULT; KMS answers RSA algorithms on them this way.
    throw new KmsError('InvalidKeyUsageException', 'The key does not support the requested encryption algorithm');
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function keyIdToBytes(keyId: string): Buffer {
  return Buffer.from(keyId.replaceAll('-', ''), 'hex');
}

function keyIdFromBytes(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function seal(key: MasterKey, plaintext: Buffer, context: EncryptionContext): Buffer {
  const header = Buffer.concat([Buffer.from([BLOB_VERSION]), keyIdToBytes(key.keyId)]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv, { authTagLength: TAG_BYTES });
  // The header is authenticated too, so a blob cannot be re-labelled with another key or version.
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

interface ParsedBlob {
  keyId: string;
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parseBlob(blob: Buffer): ParsedBlob {
  if (blob.length < BLOB_OVERHEAD || blob[0] !== BLOB_VERSION) throw invalidCiphertext();
  return {
    keyId: keyIdFromBytes(blob.subarray(1, HEADER_BYTES)),
    header: blob.subarray(0, HEADER_BYTES),
    iv: blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES),
    tag: blob.subarray(HEADER_BYTES + IV_BYTES, BLOB_OVERHEAD),
    ciphertext: blob.subarray(BLOB_OVERHEAD),
  };
}

function open(key: MasterKey, blob: ParsedBlob, context: EncryptionContext): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.material, blob.iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(blob.tag);
    decipher.setAAD(Buffer.concat([blob.header, canonicalContext(context)]));
    return Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

/** Holds the master keys and answers the KMS operations against them. */
class KeyRing {
  private readonly keys = new Map<string, MasterKey>();
  private pendingWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly region: string,
    private readonly dataFile: string | undefined,
  ) {}

  arnOf(key: MasterKey): string {
    return `arn:aws:kms:${this.region}:${ACCOUNT_ID}:key/${key.keyId}`;
  }

  async load(): Promise<void> {
    if (this.dataFile === undefined) return;
    let text: string;
    try {
      text = await readFile(this.dataFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // A damaged key file must stop the start-up: carrying on would silently orphan every blob.
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed) || parsed['format'] !== DATA_FILE_FORMAT || !Array.isArray(parsed['keys'])) {
      throw new Error(`KMS stand-in key file ${this.dataFile} is not in a format this version understands`);
    }
    for (const stored of parsed['keys'] as unknown[]) {
      if (
        !isObject(stored) ||
        typeof stored['keyId'] !== 'string' ||
        !UUID_PATTERN.test(stored['keyId']) ||
        typeof stored['material'] !== 'string' ||
        typeof stored['description'] !== 'string' ||
        typeof stored['creationDate'] !== 'number'
      ) {
        throw new Error(`KMS stand-in key file ${this.dataFile} holds a malformed key entry`);
      }
      const material = Buffer.from(stored['material'], 'base64');
      if (material.length !== 32) throw new Error(`KMS stand-in key file ${this.dataFile} holds a malformed key entry`);
      this.keys.set(stored['keyId'], {
        keyId: stored['keyId'],
        description: stored['description'],
        creationDate: stored['creationDate'],
        material,
      });
    }
  }

  async create(description: string): Promise<MasterKey> {
    const key: MasterKey = {
      keyId: randomUUID(),
      description,
      creationDate: Math.floor(Date.now() / 1000),
      material: randomBytes(32),
    };
    this.keys.set(key.keyId, key);
    await this.persist();
    return key;
  }

  /** Resolves a KeyId the way KMS does for this account and region; anything unresolvable is NotFound. */
  find(keyIdOrArn: string): MasterKey {
    const arnPrefix = `arn:aws:kms:${this.region}:${ACCOUNT_ID}:key/`;
    const keyId = keyIdOrArn.startsWith(arnPrefix) ? keyIdOrArn.slice(arnPrefix.length) : keyIdOrArn;
    const key = UUID_PATTERN.test(keyId) ? this.keys.get(keyId) : undefined;
    if (key === undefined) throw new KmsError('NotFoundException', `Key '${keyIdOrArn}' does not exist`);
    return key;
  }

  /** A blob naming a key this stand-in never had cannot be opened, which KMS reports as invalid ciphertext. */
  findForBlob(keyId: string): MasterKey {
    const key = this.keys.get(keyId);
    if (key === undefined) throw invalidCiphertext();
    return key;
  }

  metadata(key: MasterKey): JsonObject {
    return {
      AWSAccountId: ACCOUNT_ID,
      KeyId: key.keyId,
      Arn: this.arnOf(key),
      CreationDate: key.creationDate,
      Enabled: true,
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }

  /** Resolves once every key-file write queued so far has landed. */
  settled(): Promise<void> {
    return this.pendingWrite;
  }

  /**
   * Writes are chained so a slow earlier write can never land after (and undo) a later one, and each
   * goes to a temp file renamed into place so a crash never leaves a half-written key file.
   */
  private persist(): Promise<void> {
    const dataFile = this.dataFile;
    if (dataFile === undefined) return Promise.resolve();
    const write = this.pendingWrite.then(async () => {
      const stored: StoredKey[] = [...this.keys.values()].map((key) => ({
        keyId: key.keyId,
        description: key.description,
        creationDate: key.creationDate,
        material: key.material.toString('base64'),
      }));
      const temporary = `${dataFile}.${process.pid}.${randomUUID()}.tmp`;
      await mkdir(dirname(dataFile), { recursive: true, mode: 0o700 });
      try {
        await writeFile(temporary, JSON.stringify({ format: DATA_FILE_FORMAT, keys: stored }), { mode: 0o600, flag: 'wx' });
        await rename(temporary, dataFile);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
    });
    // A failed write must not poison later ones; its own caller still sees the failure.
    this.pendingWrite = write.catch(() => undefined);
    return write;
  }
}

/** An operation answers at once unless it has to wait (CreateKey writes the key file); a throw is its error answer either way. */
type Operation = (ring: KeyRing, request: JsonObject) => JsonObject | Promise<JsonObject>;

const operations: Record<string, Operation> = {
  GenerateDataKey(ring, request) {
    const key = ring.find(requiredString(request, 'KeyId', MAX_KEY_ID_LENGTH));
    const context = encryptionContextOf(request);
    const keySpec = request['KeySpec'];
    const numberOfBytes = request['NumberOfBytes'];
    const hasKeySpec = keySpec !== undefined && keySpec !== null;
    const hasNumberOfBytes = numberOfBytes !== undefined && numberOfBytes !== null;
    // KMS insists on exactly one of the two.
    if (hasKeySpec === hasNumberOfBytes) throw validation('Please specify either number of bytes or key spec.');
    let length: number;
    if (hasKeySpec) {
      if (keySpec === 'AES_256') length = 32;
      else if (keySpec === 'AES_128') length = 16;
      else throw validation("Value at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
    } else {
      if (
        typeof numberOfBytes !== 'number' ||
        !Number.isInteger(numberOfBytes) ||
        numberOfBytes < 1 ||
        numberOfBytes > MAX_DATA_KEY_BYTES
      ) {
        throw validation(`Value at 'numberOfBytes' failed to satisfy constraint: Member must be between 1 and ${MAX_DATA_KEY_BYTES}`);
      }
      length = numberOfBytes;
    }
    const plaintext = randomBytes(length);
    const blob = seal(key, plaintext, context);
    return { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: ring.arnOf(key) };
  },

  Encrypt(ring, request) {
    const key = ring.find(requiredString(request, 'KeyId', MAX_KEY_ID_LENGTH));
    const plaintext = requiredBlob(request, 'Plaintext', MAX_ENCRYPT_PLAINTEXT_BYTES);
    const context = encryptionContextOf(request);
    rejectUnsupportedAlgorithm(request);
    const blob = seal(key, plaintext, context);
    return { CiphertextBlob: blob.toString('base64'), KeyId: ring.arnOf(key), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },

  Decrypt(ring, request) {
    const bytes = requiredBlob(request, 'CiphertextBlob', MAX_CIPHERTEXT_BLOB_BYTES);
    const context = encryptionContextOf(request);
    const keyIdParameter = optionalString(request, 'KeyId', MAX_KEY_ID_LENGTH);
    rejectUnsupportedAlgorithm(request);
    const requestedKey = keyIdParameter === undefined ? undefined : ring.find(keyIdParameter);
    const blob = parseBlob(bytes);
    if (requestedKey !== undefined && requestedKey.keyId !== blob.keyId) {
      throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
    }
    const key = requestedKey ?? ring.findForBlob(blob.keyId);
    const plaintext = open(key, blob, context);
    return { Plaintext: plaintext.toString('base64'), KeyId: ring.arnOf(key), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },

  async CreateKey(ring, request) {
    const description = request['Description'] ?? '';
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
      throw validation("Value at 'description' failed to satisfy constraint");
    }
    // Only the kind of key the service uses exists here; asking for another must not silently get this one.
    for (const [field, supported] of [
      ['KeyUsage', 'ENCRYPT_DECRYPT'],
      ['KeySpec', 'SYMMETRIC_DEFAULT'],
      ['CustomerMasterKeySpec', 'SYMMETRIC_DEFAULT'],
      ['Origin', 'AWS_KMS'],
    ] as const) {
      const value = request[field];
      if (value !== undefined && value !== null && value !== supported) {
        throw new KmsError('UnsupportedOperationException', `The KMS stand-in only supports ${field} ${supported}`);
      }
    }
    const key = await ring.create(description);
    return { KeyMetadata: ring.metadata(key) };
  },

  DescribeKey(ring, request) {
    const key = ring.find(requiredString(request, 'KeyId', MAX_KEY_ID_LENGTH));
    return { KeyMetadata: ring.metadata(key) };
  },
};

function send(response: ServerResponse, status: number, body: JsonObject, extraHeaders: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  response.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': String(payload.length),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  response.end(payload);
}

function sendError(response: ServerResponse, error: KmsError, extraHeaders: Record<string, string> = {}): void {
  send(response, error.status, { __type: error.type, message: error.message }, { 'x-amzn-ErrorType': error.type, ...extraHeaders });
}

/** Reads the body, or resolves `undefined` once it passes the limit so the caller can refuse it. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > MAX_REQUEST_BYTES) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      received += chunk.length;
      if (received > MAX_REQUEST_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

async function handle(ring: KeyRing, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    // Close the connection rather than drain an oversized upload we have already refused.
    sendError(response, new KmsError('ValidationException', `Request body exceeds ${MAX_REQUEST_BYTES} bytes`, 413), {
      Connection: 'close',
    });
    request.resume();
    return;
  }
  const target = request.headers['x-amz-target'];
  const path = (request.url ?? '').split('?')[0];
  const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = Object.hasOwn(operations, operationName) ? operations[operationName] : undefined;
  if (request.method !== 'POST' || path !== '/' || operation === undefined) {
    sendError(response, new KmsError('UnsupportedOperationException', `The KMS stand-in does not support '${String(target)}'`));
    return;
  }
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendError(response, validation('Request body is not valid JSON'));
    return;
  }
  if (!isObject(parsed)) {
    sendError(response, validation('Request body must be a JSON object'));
    return;
  }
  try {
    send(response, 200, await operation(ring, parsed));
  } catch (error) {
    // Anything unexpected is reported without detail: the message could carry key material.
    sendError(response, error instanceof KmsError ? error : new KmsError('KMSInternalException', 'Internal failure', 500));
  }
}

/** Formats a bound address as a URL host, using loopback when bound to every interface. */
function urlHost(address: string, family: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return family === 'IPv6' ? `[${address}]` : address;
}

/**
 * Starts a KMS stand-in and resolves once it is listening.
 *
 * @example
 * ```ts
 * const kms = await startKmsStandIn({ dataFile: '.local/kms-keys.json' });
 * const keyArn = await kms.createKey('2FA secrets');
 * const client = new KMSClient({ endpoint: kms.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 * ```
 */
export async function startKmsStandIn(options: KmsStandInOptions = {}): Promise<KmsStandIn> {
  const ring = new KeyRing(options.region ?? 'us-east-1', options.dataFile);
  await ring.load();

  const server: Server = createServer((request, response) => {
    handle(ring, request, response).catch(() => {
      if (!response.headersSent) sendError(response, new KmsError('KMSInternalException', 'Internal failure', 500));
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('KMS stand-in is not listening on TCP');

  return {
    url: `http://${urlHost(address.address, address.family)}:${address.port}`,
    async createKey(description = '') {
      return ring.arnOf(await ring.create(description));
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // SDK clients keep connections alive; without this close() would wait for them to idle out.
        server.closeAllConnections();
      });
      await ring.settled();
    },
  };
}
