import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
  ListKeysCommand,
  NotFoundException,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { startKmsStandIn } from '../../local/kms-stand-in.js';
import type { KmsStandIn } from '../../local/kms-stand-in.js';

const REGION = 'eu-west-1';
const CONTEXT = { userId: 'user-123', purpose: 'totp-secret' };

function clientFor(standIn: KmsStandIn): KMSClient {
  return new KMSClient({
    endpoint: standIn.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Runs a call that must fail and hands back what it threw, so tests can assert on the class and name. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('KMS stand-in', () => {
  let standIn: KmsStandIn;
  let kms: KMSClient;
  let keyArn: string;

  beforeEach(async () => {
    standIn = await startKmsStandIn({ region: REGION });
    kms = clientFor(standIn);
    keyArn = await standIn.createKey('unit test key');
  });

  afterEach(async () => {
    kms.destroy();
    await standIn.close();
  });

  it('returns a key ARN in the configured region from createKey', () => {
    // Assess
    expect(keyArn).toMatch(/^arn:aws:kms:eu-west-1:000000000000:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(standIn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('generates a 32-byte data key that Decrypt gives back', async () => {
    // Act
    const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));

    // Assess
    expect(generated.KeyId).toBe(keyArn);
    expect(generated.Plaintext).toHaveLength(32);
    expect(Buffer.from(decrypted.Plaintext ?? [])).toEqual(Buffer.from(generated.Plaintext ?? [1]));
    expect(Buffer.from(generated.CiphertextBlob ?? []).includes(Buffer.from(generated.Plaintext ?? []))).toBe(false);
    expect(decrypted.KeyId).toBe(keyArn);
    expect(decrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  it('sizes data keys by KeySpec AES_128 or NumberOfBytes', async () => {
    // Act
    const aes128 = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_128' }));
    const sized = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 64 }));

    // Assess
    expect(aes128.Plaintext).toHaveLength(16);
    expect(sized.Plaintext).toHaveLength(64);
  });

  it('gives fresh data keys and fresh ciphertexts on every call', async () => {
    // Act
    const first = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
    const second = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
    const sameTextOnce = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') }));
    const sameTextTwice = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') }));

    // Assess
    expect(Buffer.from(first.Plaintext ?? [])).not.toEqual(Buffer.from(second.Plaintext ?? []));
    expect(Buffer.from(sameTextOnce.CiphertextBlob ?? [])).not.toEqual(Buffer.from(sameTextTwice.CiphertextBlob ?? []));
  });

  it('encrypts and decrypts without KeyId on Decrypt, accepting the bare key id too', async () => {
    // Prepare
    const keyId = keyArn.split('/')[1];
    const plaintext = Buffer.from('JBSWY3DPEHPK3PXP');

    // Act
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: CONTEXT }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: CONTEXT }));
    const decryptedWithKeyId = await kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: CONTEXT, KeyId: keyArn }),
    );

    // Assess
    expect(encrypted.KeyId).toBe(keyArn);
    expect(encrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(Buffer.from(decrypted.Plaintext ?? [])).toEqual(plaintext);
    expect(Buffer.from(decryptedWithKeyId.Plaintext ?? [])).toEqual(plaintext);
  });

  it('treats the encryption context as a map, so key order does not matter', async () => {
    // Prepare
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x'), EncryptionContext: { a: '1', b: '2' } }),
    );

    // Act
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { b: '2', a: '1' } }),
    );

    // Assess
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('x');
  });

  it('rejects a wrong encryption context like KMS does', async () => {
    // Prepare
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret'), EncryptionContext: CONTEXT }));

    // Act
    const error = await failureOf(
      kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { ...CONTEXT, userId: 'user-456' } })),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
    expect((error as InvalidCiphertextException).$metadata.httpStatusCode).toBe(400);
  });

  it('refuses to unwrap one app’s data key for another app, as the service asks it to', async () => {
    // Prepare: the service generates each app's data key under the encryption context {appId}.
    const appA = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { appId: 'app_A' } }));

    // Act
    const error = await failureOf(
      kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: appA.CiphertextBlob, EncryptionContext: { appId: 'app_B' } })),
    );
    const ownApp = await kms.send(
      new DecryptCommand({ KeyId: keyArn, CiphertextBlob: appA.CiphertextBlob, EncryptionContext: { appId: 'app_A' } }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
    expect((error as InvalidCiphertextException).name).toBe('InvalidCiphertextException');
    expect(Buffer.from(ownApp.Plaintext ?? [])).toEqual(Buffer.from(appA.Plaintext ?? [1]));
  });

  it('rejects a missing encryption context when one was used', async () => {
    // Prepare
    const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));

    // Act
    const error = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('rejects an encryption context the ciphertext was not bound to', async () => {
    // Prepare
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') }));

    // Act
    const error = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: CONTEXT })));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('rejects a tampered ciphertext blob, wherever the change is', async () => {
    // Prepare
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret'), EncryptionContext: CONTEXT }));
    const original = Buffer.from(encrypted.CiphertextBlob ?? []);
    // Version byte, IV, tag and ciphertext; the key-id bytes are covered by the next tests.
    const positions = [0, 17, 17 + 12, original.length - 1];

    for (const position of positions) {
      const tampered = Buffer.from(original);
      tampered[position] = (tampered[position] ?? 0) ^ 0x01;

      // Act
      const error = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: CONTEXT })));

      // Assess
      expect(error).toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it('rejects garbage that was never a ciphertext blob', async () => {
    // Act
    const shortError = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a blob') })));
    const longError = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(200, 1) })));

    // Assess
    expect(shortError).toBeInstanceOf(InvalidCiphertextException);
    expect(longError).toBeInstanceOf(InvalidCiphertextException);
  });

  it('reports an unknown key as NotFoundException', async () => {
    // Prepare
    const unknownArn = `arn:aws:kms:${REGION}:000000000000:key/00000000-0000-4000-8000-000000000000`;

    // Act
    const encryptError = await failureOf(kms.send(new EncryptCommand({ KeyId: unknownArn, Plaintext: Buffer.from('x') })));
    const generateError = await failureOf(kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/not-supported', KeySpec: 'AES_256' })));
    const describeError = await failureOf(kms.send(new DescribeKeyCommand({ KeyId: keyArn.replace(REGION, 'us-east-1') })));

    // Assess
    expect(encryptError).toBeInstanceOf(NotFoundException);
    expect(generateError).toBeInstanceOf(NotFoundException);
    expect(describeError).toBeInstanceOf(NotFoundException);
  });

  it('rejects Decrypt with a KeyId that is not the key in the blob', async () => {
    // Prepare
    const otherKeyArn = await standIn.createKey('other key');
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') }));

    // Act
    const error = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: otherKeyArn })));

    // Assess
    expect(error).toBeInstanceOf(IncorrectKeyException);
  });

  it('cannot be fooled into another key by rewriting the key id inside the blob', async () => {
    // Prepare
    const otherKeyArn = await standIn.createKey('other key');
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') }));
    const relabelled = Buffer.from(encrypted.CiphertextBlob ?? []);
    Buffer.from((otherKeyArn.split('/')[1] ?? '').replaceAll('-', ''), 'hex').copy(relabelled, 1);

    // Act
    const error = await failureOf(kms.send(new DecryptCommand({ CiphertextBlob: relabelled, KeyId: otherKeyArn })));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('creates and describes keys with the metadata KMS returns', async () => {
    // Act
    const created = await kms.send(new CreateKeyCommand({ Description: '2FA secrets' }));
    const described = await kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.KeyId }));

    // Assess
    expect(described.KeyMetadata).toMatchObject({
      KeyId: created.KeyMetadata?.KeyId,
      Arn: `arn:aws:kms:${REGION}:000000000000:key/${created.KeyMetadata?.KeyId}`,
      Description: '2FA secrets',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
    // The SDK only turns CreationDate into a Date when it arrives as epoch seconds.
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs((described.KeyMetadata?.CreationDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses plaintexts over 4096 bytes and invalid data key sizes with ValidationException', async () => {
    // Act
    const tooLong = await failureOf(kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.alloc(4097) })));
    const bothSizes = await failureOf(kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', NumberOfBytes: 32 })));
    const noSize = await failureOf(kms.send(new GenerateDataKeyCommand({ KeyId: keyArn })));
    const atLimit = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.alloc(4096) }));

    // Assess
    for (const error of [tooLong, bothSizes, noSize]) {
      expect(error).toBeInstanceOf(KMSServiceException);
      expect((error as KMSServiceException).name).toBe('ValidationException');
    }
    expect(atLimit.CiphertextBlob).toBeDefined();
  });

  it('answers operations it does not serve with UnsupportedOperationException', async () => {
    // Act
    const error = await failureOf(kms.send(new ListKeysCommand({})));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
  });

  it('sends errors in the awsJson1_1 shape', async () => {
    // Act
    const response = await fetch(standIn.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.Decrypt' },
      body: JSON.stringify({ CiphertextBlob: Buffer.from('garbage').toString('base64') }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidCiphertextException');
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toEqual({ __type: 'InvalidCiphertextException', message: expect.any(String) });
  });

  it('refuses request bodies over 1 MiB', async () => {
    // Prepare
    const body = JSON.stringify({ KeyId: keyArn, Plaintext: 'A'.repeat(1024 * 1024) });

    // Act
    const response = await fetch(standIn.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.Encrypt' },
      body,
    });

    // Assess
    expect(response.status).toBe(413);
    expect(((await response.json()) as { __type: string }).__type).toBe('ValidationException');
  });
});

describe('KMS stand-in with a data file', () => {
  let dataFolder: string;

  beforeEach(async () => {
    dataFolder = await mkdtemp(join(tmpdir(), 'kms-stand-in-'));
  });

  afterEach(async () => {
    await rm(dataFolder, { recursive: true, force: true });
  });

  it('still decrypts after a restart with the same data file', async () => {
    // Prepare
    const dataFile = join(dataFolder, 'kms-keys.json');
    const first = await startKmsStandIn({ region: REGION, dataFile });
    const firstClient = clientFor(first);
    const keyArn = await first.createKey('persistent key');
    const generated = await firstClient.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
    firstClient.destroy();
    await first.close();

    // Act
    const second = await startKmsStandIn({ region: REGION, dataFile });
    const secondClient = clientFor(second);
    try {
      const decrypted = await secondClient.send(
        new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }),
      );

      // Assess
      expect(Buffer.from(decrypted.Plaintext ?? [])).toEqual(Buffer.from(generated.Plaintext ?? [1]));
      expect(decrypted.KeyId).toBe(keyArn);
      expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
    } finally {
      secondClient.destroy();
      await second.close();
    }
  });

  it('cannot decrypt in a stand-in that does not have the key file', async () => {
    // Prepare
    const owner = await startKmsStandIn({ region: REGION, dataFile: join(dataFolder, 'kms-keys.json') });
    const ownerClient = clientFor(owner);
    const keyArn = await owner.createKey('owned key');
    const generated = await ownerClient.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
    ownerClient.destroy();
    await owner.close();
    const stranger = await startKmsStandIn({ region: REGION, dataFile: join(dataFolder, 'other-keys.json') });
    const strangerClient = clientFor(stranger);

    try {
      // Act
      const error = await failureOf(strangerClient.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })));

      // Assess
      expect(error).toBeInstanceOf(InvalidCiphertextException);
    } finally {
      strangerClient.destroy();
      await stranger.close();
    }
  });
});
