import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Haystack,
  type SensitiveValue,
  describeLeaks,
  findLeaks,
  readSensitiveValues,
  recordSensitiveValues,
  sensitiveValuesOf,
} from '../support/leak-scan.js';
import { mailHaystacks } from '../support/stack-haystacks.js';

/** The "nothing leaks" scan that the global teardown runs over the table and the stack's logs. */
describe('the leak scan', () => {
  const secretBase32 = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const token = randomBytes(32).toString('base64url');
  const values: SensitiveValue[] = [
    { kind: 'password', value: 'correct horse battery staple' },
    { kind: 'token', value: token },
    { kind: 'TOTP secret', value: secretBase32 },
    { kind: 'backup code', value: 'k7m2q-x9p4r' },
    { kind: 'one-time code', value: '492039' },
  ];
  /** What legitimately fills the table and the logs: hashes, ciphertexts, ids, timestamps, emails. */
  const innocent: Haystack[] = [
    { where: 'session', text: `SESSION#${createHash('sha256').update(token).digest('hex')}` },
    { where: 'ciphertext', text: randomBytes(120).toString('base64') },
    { where: 'step', text: '58899201' },
    { where: 'expiry', text: String(Math.floor(Date.now() / 1000)) },
    { where: 'hash containing the code inside hex', text: 'ab492039cdef0123' },
    {
      where: 'log',
      text: '{"level":"WARN","message":"dependency failure","errorName":"ThrottlingException","timestamp":"2025-11-27T23:47:12.345Z"}',
    },
    { where: 'email', text: 'ada@example.test' },
  ];

  it('finds nothing in hashes, ciphertexts, ids and timestamps', () => {
    expect(findLeaks(innocent, values)).toEqual([]);
  });

  it.each([
    ['a password as sent', 'password', 'as sent', '{"password":"correct horse battery staple"}'],
    ['a password base64-encoded', 'password', 'UTF-8 base64', Buffer.from('correct horse battery staple').toString('base64')],
    ['a token inside a longer string', 'token', 'as sent', `Bearer ${token}`],
    ['a token as the hex of its bytes', 'token', 'decoded, hex', Buffer.from(token, 'base64url').toString('hex')],
    ['a TOTP secret in base32', 'TOTP secret', 'as sent', `otpauth://totp/x?secret=${secretBase32}`],
    ['a TOTP secret in lower-case base32', 'TOTP secret', 'base32, lower case', secretBase32.toLowerCase()],
    ['a TOTP secret as the manual key', 'TOTP secret', 'grouped manual key', 'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP'],
    ['a TOTP secret as hex', 'TOTP secret', 'decoded, hex', '48656c6c6f21deadbeef'.repeat(2)],
    [
      'a TOTP secret as base64',
      'TOTP secret',
      'decoded, base64',
      Buffer.from('48656c6c6f21deadbeef48656c6c6f21deadbeef', 'hex').toString('base64'),
    ],
    ['a backup code without its hyphen, upper case', 'backup code', 'upper case without hyphen', 'K7M2QX9P4R'],
    ['a one-time code as a word', 'one-time code', 'as sent', '{"code":"492039"}'],
  ])('finds %s', (_label, kind, form, planted) => {
    const leaks = findLeaks([...innocent, { where: 'table item pk=USER#usr_x sk=TOTP, attribute note', text: planted }], values);

    expect(leaks).toEqual([{ kind, form, where: 'table item pk=USER#usr_x sk=TOTP, attribute note' }]);
  });

  it('names the kind and the place in its report, never the value', () => {
    const leaks = findLeaks([{ where: 'stack log line 7', text: `login ok for ${token}` }], values);

    const report = describeLeaks(leaks);

    expect(report).toContain('a token (as sent) in stack log line 7');
    expect(report).not.toContain(token);
  });

  it('does not search for values too plain to tell from ordinary text', () => {
    expect(
      findLeaks(
        [{ where: 'log', text: '        at something (aaaaaaaa)' }],
        [
          { kind: 'password', value: 'aaaaaaaa' },
          { kind: 'password', value: '        ' },
        ],
      ),
    ).toEqual([]);
  });

  it('searches every file of the mail folder, naming the file', () => {
    const mailDir = mkdtempSync(join(tmpdir(), 'mail-'));
    writeFileSync(join(mailDir, '2025-06-01-a.txt'), 'Two-factor authentication is on.');
    writeFileSync(join(mailDir, '2025-06-01-a.html'), '<p>Your code: <b>k7m2q-x9p4r</b></p>');

    const leaks = findLeaks([...innocent, ...mailHaystacks(mailDir)], values);

    expect(leaks).toEqual([{ kind: 'backup code', form: 'as sent', where: 'mail file 2025-06-01-a.html' }]);
  });

  // Not timed (a wall-clock bound flakes on a loaded machine): a scan that grew with values × text would still
  // run into the test timeout here.
  it('finds the one value planted among 10,000 values over 2 MB of text', () => {
    const many: SensitiveValue[] = Array.from({ length: 10_000 }, () => ({ kind: 'token', value: randomBytes(32).toString('base64url') }));
    const haystacks: Haystack[] = Array.from({ length: 10_000 }, (_, index) => ({
      where: `item ${index}`,
      text: randomBytes(150).toString('base64'),
    }));
    haystacks.push({ where: 'item planted', text: `x${many[2_345]!.value}y` });

    const leaks = findLeaks(haystacks, many);

    expect(leaks.map((leak) => leak.where)).toEqual(['item planted']);
  });
});

describe('the ledger of sensitive values', () => {
  it('takes tokens, backup codes and TOTP secrets from what the service issued', () => {
    const found = sensitiveValuesOf({
      status: 200,
      response: {
        session: { token: 'session-token-value' },
        device: { id: 'dev_1', token: 'dev_1.device-token-value' },
        backupCodes: ['k7m2q-x9p4r'],
        backupCodesFile: { content: 'Backup codes for Demo Portal\n\nk7m2q-x9p4r\nabcde-fghjk\n' },
        otpauthUri: 'otpauth://totp/Demo:ada?secret=JBSWY3DPEHPK3PXP&issuer=Demo',
        manualEntryKey: 'JBSW Y3DP EHPK 3PXP',
      },
    });

    expect(found).toEqual(
      expect.arrayContaining([
        { kind: 'token', value: 'session-token-value' },
        { kind: 'token', value: 'dev_1.device-token-value' },
        { kind: 'backup code', value: 'k7m2q-x9p4r' },
        { kind: 'backup code', value: 'abcde-fghjk' },
        { kind: 'TOTP secret', value: 'JBSWY3DPEHPK3PXP' },
      ]),
    );
  });

  it('takes the codes of the .txt download', () => {
    expect(sensitiveValuesOf({ status: 200, response: 'codes:\nk7m2q-x9p4r\n', responseText: 'codes:\nk7m2q-x9p4r\n' })).toEqual([
      { kind: 'backup code', value: 'k7m2q-x9p4r' },
    ]);
  });

  it('takes passwords and codes the service took in, not those its schema refused', () => {
    const request = { email: 'ada@example.test', password: 'correct horse battery staple', code: '492039' };

    expect(sensitiveValuesOf({ request, status: 401 })).toEqual([
      { kind: 'password', value: 'correct horse battery staple' },
      { kind: 'one-time code', value: '492039' },
    ]);
    expect(sensitiveValuesOf({ request, status: 400 })).toEqual([]);
    expect(sensitiveValuesOf({ request, status: 413 })).toEqual([]);
  });

  it('appends to the ledger file and reads each value back once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'values.jsonl');

    recordSensitiveValues([{ kind: 'token', value: 'one' }], file);
    recordSensitiveValues(
      [
        { kind: 'token', value: 'one' },
        { kind: 'password', value: 'two' },
      ],
      file,
    );

    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readSensitiveValues(file)).toEqual([
      { kind: 'token', value: 'one' },
      { kind: 'password', value: 'two' },
    ]);
  });
});
