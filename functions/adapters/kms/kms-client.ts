import { AwsJsonClient, type AwsJsonClientOptions } from '../aws-json/client.js';

/** KMS's JSON protocol (`awsJson1_1`), as its SDK client speaks it. */
const kms = {
  signingName: 'kms',
  endpointId: 'KMS',
  targetPrefix: 'TrentService',
  contentType: 'application/x-amz-json-1.1',
} as const;

/** A data key: its plaintext (to use, then wipe) and the same key wrapped under the KMS key (to store). */
export interface DataKey {
  plaintext: Buffer;
  ciphertextBlob: Buffer;
}

/**
 * The two KMS calls of envelope encryption (GenerateDataKey, Decrypt) over `AwsJsonClient`: the endpoint from
 * `AWS_ENDPOINT_URL_KMS` (or `AWS_ENDPOINT_URL`) when set, blobs base64 on the wire. A refusal is an
 * `AwsServiceError` named by KMS's code, e.g. `InvalidCiphertextException`.
 */
export class KmsClient {
  private readonly api: AwsJsonClient;

  constructor(options: AwsJsonClientOptions = {}) {
    this.api = new AwsJsonClient(kms, options);
  }

  async generateDataKey(input: { keyId: string; encryptionContext: Record<string, string> }): Promise<DataKey> {
    const answer = await this.api.call('GenerateDataKey', {
      KeyId: input.keyId,
      KeySpec: 'AES_256',
      EncryptionContext: input.encryptionContext,
    });
    return { plaintext: blob(answer.Plaintext, 'Plaintext'), ciphertextBlob: blob(answer.CiphertextBlob, 'CiphertextBlob') };
  }

  /** The plaintext of `ciphertextBlob`, which KMS unwraps only under the key and context it was made with. */
  async decrypt(input: { keyId: string; ciphertextBlob: Buffer; encryptionContext: Record<string, string> }): Promise<Buffer> {
    const answer = await this.api.call('Decrypt', {
      KeyId: input.keyId,
      CiphertextBlob: input.ciphertextBlob.toString('base64'),
      EncryptionContext: input.encryptionContext,
    });
    return blob(answer.Plaintext, 'Plaintext');
  }

  /** Closes the kept-alive sockets (tests and tools). */
  destroy(): void {
    this.api.destroy();
  }
}

function blob(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`KMS returned no ${name}`);
  return Buffer.from(value, 'base64');
}
