import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { totpCode } from '../support/authenticator.js';
import { type EnrolledUser, type TestApp, call, createTestApp, documentClient, loginChallenge, signUpAndEnroll } from '../support/api.js';
import { storedItem } from '../support/table.js';

const table = () => process.env.TWOFA_TABLE_NAME;

async function putSealedSecret(userId: string, secret: unknown): Promise<void> {
  const client = documentClient();
  try {
    await client.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: `USER#${userId}`, sk: 'TOTP' },
        UpdateExpression: 'SET secret = :secret',
        ExpressionAttributeValues: { ':secret': secret },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Each sealed secret is bound to its app and user: moved anywhere else it proves nothing. */
describe('sealed TOTP secrets', () => {
  it('do not verify for another user when copied onto that user’s factor', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const alice = await signUpAndEnroll(app);
    const bob = await signUpAndEnroll(app);
    const client = documentClient();
    const aliceFactor = await client.send(new GetCommand({ TableName: table(), Key: { pk: `USER#${alice.userId}`, sk: 'TOTP' } }));
    client.destroy();
    expect(JSON.stringify(aliceFactor.Item)).not.toContain(alice.secret);
    await putSealedSecret(bob.userId, aliceFactor.Item!.secret);

    const response = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, bob.email), code: totpCode(alice.secret, alice.confirmedStep + 1) },
    });

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_code');
  });

  describe('copied from a user of app A onto a user of app B', () => {
    let appA: TestApp;
    let appB: TestApp;
    let alice: EnrolledUser;
    let aliceSealed: { keyId: string } & Record<string, unknown>;

    beforeAll(async () => {
      [appA, appB] = await Promise.all([createTestApp({ mode: 'optional' }), createTestApp({ mode: 'optional' })]);
      alice = await signUpAndEnroll(appA);
      aliceSealed = (await storedItem(`USER#${alice.userId}`, 'TOTP'))!.secret;
    });

    /** Bob of app B signs in with Alice's current code against Alice's sealed secret, moved as `move` says. */
    async function bobSignsInWithAlicesCode(move: (bob: EnrolledUser) => Promise<void>) {
      const bob = await signUpAndEnroll(appB);
      await move(bob);
      const challengeToken = await loginChallenge(appB, bob.email);
      const verify = await call('POST', `/v1/apps/${appB.appId}/login/verify`, { body: { challengeToken, code: totpCode(alice.secret) } });
      return { bob, verify };
    }

    it('do not open: the ciphertext names a data key app B does not have', async () => {
      const { verify } = await bobSignsInWithAlicesCode((bob) => putSealedSecret(bob.userId, aliceSealed));

      expect([verify.status, verify.body.error?.code]).toEqual([401, 'invalid_code']);
    });

    it('do not open under app B’s data key when the ciphertext is relabelled with its id', async () => {
      const keyIdB = (await storedItem(`APP#${appB.appId}`, 'APP'))!.dataKeyId as string;

      const { verify } = await bobSignsInWithAlicesCode((bob) => putSealedSecret(bob.userId, { ...aliceSealed, keyId: keyIdB }));

      expect([verify.status, verify.body.error?.code]).toEqual([401, 'invalid_code']);
    });

    it('do not open with app A’s wrapped data key copied along: KMS will not unwrap it for app B', async () => {
      const wrappedKeyA = (await storedItem(`APP#${appA.appId}`, `DATAKEY#${aliceSealed.keyId}`))!;
      const client = documentClient();
      await client.send(new PutCommand({ TableName: table(), Item: { ...wrappedKeyA, pk: `APP#${appB.appId}` } }));
      client.destroy();

      const { verify } = await bobSignsInWithAlicesCode((bob) => putSealedSecret(bob.userId, aliceSealed));

      expect([verify.status, verify.body.error?.code]).toEqual([401, 'invalid_code']);
    });

    it('leave app A’s user signing in as before', async () => {
      const verify = await call('POST', `/v1/apps/${appA.appId}/login/verify`, {
        body: { challengeToken: await loginChallenge(appA, alice.email), code: totpCode(alice.secret) },
      });

      expect(verify.body.status).toBe('SIGNED_IN');
    });
  });
});
