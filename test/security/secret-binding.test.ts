import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { totpCode } from '../support/authenticator.js';
import { call, createTestApp, documentClient, loginChallenge, signUpAndEnroll } from '../support/api.js';

/** Each sealed secret is bound to its app and user: moved anywhere else it proves nothing. */
describe('sealed TOTP secrets', () => {
  it('do not verify for another user when copied onto that user’s factor', async () => {
    const app = await createTestApp({ mode: 'optional' });
    const alice = await signUpAndEnroll(app);
    const bob = await signUpAndEnroll(app);
    const client = documentClient();
    const table = process.env.TWOFA_TABLE_NAME;
    const aliceFactor = await client.send(new GetCommand({ TableName: table, Key: { pk: `USER#${alice.userId}`, sk: 'TOTP' } }));
    expect(JSON.stringify(aliceFactor.Item)).not.toContain(alice.secret);
    await client.send(
      new UpdateCommand({ TableName: table, Key: { pk: `USER#${bob.userId}`, sk: 'TOTP' }, UpdateExpression: 'SET secret = :secret', ExpressionAttributeValues: { ':secret': aliceFactor.Item!.secret } }),
    );
    client.destroy();

    const response = await call('POST', `/v1/apps/${app.appId}/login/verify`, {
      body: { challengeToken: await loginChallenge(app, bob.email), code: totpCode(alice.secret, alice.confirmedStep + 1) },
    });

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_code');
  });
});
