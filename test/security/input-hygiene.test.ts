import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import {
  type TestApp,
  apiUrl,
  call,
  createTestApp,
  documentClient,
  invokePlatform,
  password,
  signUpAndEnroll,
  uniqueEmail,
} from '../support/api.js';
import { appState } from '../support/app-state.js';
import { totpCode } from '../support/authenticator.js';
import { measureWork } from '../support/work-meter.js';

/**
 * Input that is text in one reading and other text in another: bodies that are not UTF-8 (each invalid
 * byte would become U+FFFD, so different passwords would match), passwords in another Unicode normal form,
 * and app names whose control or bidi characters would add lines to, or reorder, the files the service
 * writes. docs/SECURITY.md, "Hostile input and token confusion".
 */

/** A request with a body of exact bytes, which `call()` (it sends strings) cannot make. */
async function sendBytes(path: string, bytes: Buffer, contentType: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${apiUrl()}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(bytes),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (response.headers.get('content-type') ?? '').includes('application/json') && text ? JSON.parse(text) : text,
  };
}

/** `{"email": …, "password": …}` whose password holds `byte` as one raw byte, not as its UTF-8 encoding. */
function credentialsWithRawByte(email: string, byte: number): Buffer {
  return Buffer.concat([
    Buffer.from(`{"email":${JSON.stringify(email)},"password":"p`, 'utf8'),
    Buffer.from([byte]),
    Buffer.from('sswort-latin-1"}', 'utf8'),
  ]);
}

/** What a refused body must answer: API.md's 400 with the issue at `path`. */
function expectRefused(response: { status: number; body: any }, path: string): void {
  expect(response.status).toBe(400);
  expect(response.body.error.code).toBe('validation_error');
  expect(response.body.error.issues.map((issue: { path: string }) => issue.path)).toContain(path);
}

/** Every item anywhere in the table that names `email`: a user profile, its email claim. */
async function itemsNaming(email: string): Promise<unknown[]> {
  const client = documentClient();
  try {
    const page = await client.send(
      new ScanCommand({
        TableName: process.env.TWOFA_TABLE_NAME,
        FilterExpression: 'email = :email OR contains(pk, :email) OR adminEmail = :email',
        ExpressionAttributeValues: { ':email': email },
        ConsistentRead: true,
      }),
    );
    let items = page.Items ?? [];
    let start = page.LastEvaluatedKey;
    while (start) {
      const next = await client.send(
        new ScanCommand({
          TableName: process.env.TWOFA_TABLE_NAME,
          FilterExpression: 'email = :email OR contains(pk, :email) OR adminEmail = :email',
          ExpressionAttributeValues: { ':email': email },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items = [...items, ...(next.Items ?? [])];
      start = next.LastEvaluatedKey;
    }
    return items;
  } finally {
    client.destroy();
  }
}

describe('input hygiene', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ plan: 'business', mode: 'optional' });
  });

  describe('bodies that are not UTF-8', () => {
    it('refuses a sign-up whose password holds the raw byte 0xE4, creates nothing, and the email stays free', async () => {
      const email = uniqueEmail('latin1');
      const before = await appState(app.appId);

      const response = await sendBytes(`/v1/apps/${app.appId}/signup`, credentialsWithRawByte(email, 0xe4), 'application/json');

      expectRefused(response, 'body');
      expect(await appState(app.appId)).toEqual(before);
      const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password } });
      expect(signup.status).toBe(201);
    });

    it('refuses the raw bytes 0xE4 and 0xFC at login where they would both have matched a password holding U+FFFD', async () => {
      // Decoded leniently, 0xE4 (Latin-1 ä) and 0xFC (ü) both become U+FFFD: this password would match both.
      const email = uniqueEmail('replacement');
      const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password: 'p\uFFFDsswort-latin-1' } });
      expect(signup.status).toBe(201);
      const before = await appState(app.appId);

      const answers = [
        await sendBytes(`/v1/apps/${app.appId}/login`, credentialsWithRawByte(email, 0xe4), 'application/json'),
        await sendBytes(`/v1/apps/${app.appId}/login`, credentialsWithRawByte(email, 0xfc), 'application/json; charset=iso-8859-1'),
      ];

      // 400, not 200 (a match) nor 401 (a wrong password, counted towards the lockout).
      for (const answer of answers) expectRefused(answer, 'body');
      expect(await appState(app.appId)).toEqual(before);
      const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: 'p\uFFFDsswort-latin-1' } });
      expect(login.status).toBe(200);
    });

    it('refuses a truncated UTF-8 sequence and an overlong encoding', async () => {
      const email = uniqueEmail('overlong');
      const truncated = Buffer.concat([
        Buffer.from(`{"email":"${email}","password":"password-`),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('"}'),
      ]);
      // 0xC0 0xAF is an overlong `/`: a lenient decoder that accepted it would let two byte strings be one text.
      const overlong = Buffer.concat([
        Buffer.from(`{"email":"${email}","password":"password-`),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('"}'),
      ]);

      for (const bytes of [truncated, overlong])
        expectRefused(await sendBytes(`/v1/apps/${app.appId}/signup`, bytes, 'application/json'), 'body');
      expect(await itemsNaming(email)).toEqual([]);
    });

    it.each(['iso-8859-1', 'ISO-8859-1', 'latin1', 'windows-1252', '"utf-16"', 'utf8', 'us-ascii', ''])(
      'refuses a body declared as charset=%s, even one that is ASCII, and creates nothing',
      async (charset) => {
        const email = uniqueEmail('charset');

        const response = await sendBytes(
          `/v1/apps/${app.appId}/signup`,
          Buffer.from(JSON.stringify({ email, password })),
          `application/json; charset=${charset}`,
        );

        expectRefused(response, 'headers.content-type');
        expect(await itemsNaming(email)).toEqual([]);
      },
    );

    it('refuses a settings change declared in another charset and leaves the settings as they were', async () => {
      const before = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });

      const response = await call('PUT', `/v1/apps/${app.appId}/settings/two-factor`, {
        token: app.adminToken,
        rawBody: JSON.stringify({ mode: 'off' }),
        headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      });

      expectRefused(response, 'headers.content-type');
      const after = await call('GET', `/v1/apps/${app.appId}/settings/two-factor`, { token: app.adminToken });
      expect(after.body).toEqual(before.body);
      expect(after.body.draft.mode).toBe('optional');
    });

    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json;charset="utf-8"',
      'application/json; Charset=Utf-8',
    ])('takes a UTF-8 body with content-type %s', async (contentType) => {
      const email = uniqueEmail('utf8');
      const nonAscii = 'pässwört – ünïcode ✓';

      const signup = await sendBytes(
        `/v1/apps/${app.appId}/signup`,
        Buffer.from(JSON.stringify({ email, password: nonAscii }), 'utf8'),
        contentType,
      );

      expect(signup.status).toBe(201);
      const login = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: nonAscii } });
      expect(login.body.status).toBe('SIGNED_IN');
    });
  });

  describe('passwords in another Unicode normal form', () => {
    const nfc = 'crème brûlée café'.normalize('NFC');
    const nfd = nfc.normalize('NFD');

    it('signs in with the NFD form of a password set in NFC, and the reverse', async () => {
      expect(nfd).not.toBe(nfc);
      const setInNfc = uniqueEmail('nfc');
      const setInNfd = uniqueEmail('nfd');
      expect((await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: setInNfc, password: nfc } })).status).toBe(201);
      expect((await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: setInNfd, password: nfd } })).status).toBe(201);

      const logins = [
        await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: setInNfc, password: nfd } }),
        await call('POST', `/v1/apps/${app.appId}/login`, { body: { email: setInNfd, password: nfc } }),
      ];

      expect(logins.map((login) => login.body.status)).toEqual(['SIGNED_IN', 'SIGNED_IN']);
    });

    it('counts a new password in characters once NFKC-normalized: four accented letters typed as eight code points are too short', async () => {
      const shortOnceNormalized = 'éèêë'.normalize('NFD');
      expect(shortOnceNormalized).toHaveLength(8);
      const email = uniqueEmail('short');

      const signup = await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password: shortOnceNormalized } });
      const createApp = await invokePlatform('createApp', {
        name: 'Short Password',
        plan: 'free',
        adminEmail: email,
        adminPassword: shortOnceNormalized,
      });

      expect([signup.status, signup.body.error.code, signup.body.error.issues]).toEqual([
        400,
        'validation_error',
        [{ path: 'body.password', message: 'must be at least 8 characters' }],
      ]);
      expect(createApp.error?.errorType).toBe('validation_error');
      expect((await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password: `${shortOnceNormalized}ìíîï` } })).status).toBe(
        201,
      );
    });

    it('signs in with the ASCII form of a password set in fullwidth letters, and still refuses another letter', async () => {
      const email = uniqueEmail('fullwidth');
      expect(
        (await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email, password: 'ｃｏｒｒｅｃｔ\u3000ｈｏｒｓｅ １２３' } })).status,
      ).toBe(201);

      const ascii = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: 'correct horse 123' } });
      const other = await call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: 'correct horse 124' } });

      expect(ascii.body.status).toBe('SIGNED_IN');
      expect([other.status, other.body.error.code]).toEqual([401, 'invalid_credentials']);
    });

    it('answers a wrong password that NFKC changes alike for a known and an unknown email: the same work, two hashes each', async () => {
      // Such a password costs a second hash (its raw form, for hashes made before normalization); the
      // decoy of an unknown email must spend it too, or timing would tell the two apart.
      const known = uniqueEmail('known');
      expect((await call('POST', `/v1/apps/${app.appId}/signup`, { body: { email: known, password: nfc } })).status).toBe(201);
      const wrong = 'crème brûlée cafe'.normalize('NFD');
      const refusal = (email: string) =>
        measureWork((headers) => call('POST', `/v1/apps/${app.appId}/login`, { body: { email, password: wrong }, headers }));

      const wrongPassword = await refusal(known);
      const unknownEmail = await refusal(uniqueEmail('nobody'));

      expect([unknownEmail.answer.status, unknownEmail.answer.text]).toEqual([401, wrongPassword.answer.text]);
      expect(unknownEmail.work).toEqual(wrongPassword.work);
      expect(wrongPassword.work.argon2).toHaveLength(2);
    });
  });

  describe('app names', () => {
    it.each([
      ['CR/LF with a fake Account line', 'Evil Portal\r\nAccount: ceo@bank.test\r\n'],
      ['LF alone', 'Evil\nPortal'],
      ['TAB', 'Evil\tPortal'],
      ['a leading TAB, which trimming would hide', '\tEvil Portal'],
      ['U+202E right-to-left override', 'Evil \u202Elatrop'],
      ['U+200F right-to-left mark', 'Evil\u200FPortal'],
      ['U+2066 left-to-right isolate', 'Evil \u2066Portal\u2069'],
      ['U+200B zero-width space', 'Evil\u200BPortal'],
      ['U+2028 line separator', 'Evil\u2028Account: ceo@bank.test'],
      ['U+0085 next line (C1)', 'Evil\u0085Portal'],
      ['DEL', 'Evil\u007FPortal'],
    ])('refuses a createApp whose name holds %s, and creates nothing', async (_what, name) => {
      const adminEmail = uniqueEmail('named-admin');

      const created = await invokePlatform('createApp', { name, plan: 'business', adminEmail, adminPassword: password });

      expect(created.result).toBeUndefined();
      expect(created.error?.errorType).toBe('validation_error');
      expect(created.error?.errorMessage).toContain('name');
      expect(await itemsNaming(adminEmail)).toEqual([]);
    });

    it('takes a name in any script, with accents and emoji', async () => {
      const created = await invokePlatform<{ appId: string }>('createApp', {
        name: 'Café Ωmega 東京 🚀',
        plan: 'free',
        adminEmail: uniqueEmail('named-admin'),
        adminPassword: password,
      });

      expect(created.error).toBeUndefined();
      expect(created.result?.appId).toMatch(/^app_/);
    });

    it('writes a backup-codes file with exactly its own lines, even for a name stored before names were checked', async () => {
      // Names are refused at createApp now; an app created before keeps its name, so write one as it would be.
      const legacy = await createTestApp({ plan: 'business', mode: 'optional' });
      const hostileName = 'Evil Portal\r\nAccount: ceo@bank.test\r\n\u202Eevil\u2028Account: cfo@bank.test\u0085x';
      const client = documentClient();
      try {
        await client.send(
          new UpdateCommand({
            TableName: process.env.TWOFA_TABLE_NAME,
            Key: keys.app(legacy.appId),
            UpdateExpression: 'SET #name = :name',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': hostileName },
          }),
        );
      } finally {
        client.destroy();
      }
      const user = await signUpAndEnroll(legacy);

      const json = await call('POST', `/v1/apps/${legacy.appId}/2fa/backup-codes`, {
        token: user.sessionToken,
        body: { code: totpCode(user.secret, user.confirmedStep + 1) },
      });
      const download = await call('POST', `/v1/apps/${legacy.appId}/2fa/backup-codes`, {
        token: user.sessionToken,
        headers: { accept: 'text/plain' },
        body: { code: totpCode(user.secret, user.confirmedStep + 2) },
      });

      expect([json.status, download.status]).toEqual([200, 200]);
      for (const content of [json.body.backupCodesFile.content as string, download.text]) {
        const lines = content.split('\n');
        expect(content).not.toMatch(/[\r\u0085\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C]/);
        expect(lines.filter((line) => line.startsWith('Account:'))).toEqual([`Account: ${user.email}`]);
        expect(lines[0]).toMatch(/^Evil Portal.*Account: ceo@bank\.test.* backup codes$/);
        expect(lines[1]).toBe(`Account: ${user.email}`);
        expect(lines[2]).toMatch(/^Generated: /);
        expect(content.match(/[0-9a-z]{5}-[0-9a-z]{5}/g)).toHaveLength(10);
      }
      expect(json.body.backupCodesFile.filename).toMatch(/^[a-z0-9][a-z0-9-]*\.txt$/);
      expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9][a-z0-9-]*\.txt"$/);
    });
  });
});
