import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';

// The real Argon2 hashing.ts uses, with each computation counted (and still done), so a test can see how many
// hashes a password check costs without timing it; hash-wasm, an independent implementation, checks its hashes.
const native = await import('@node-rs/argon2');
const countedHash = jest.fn(native.hashRaw);
jest.unstable_mockModule('@node-rs/argon2', () => ({ ...native, hashRaw: countedHash }));
const { argon2id, argon2Verify } = await import('hash-wasm');
const { hashPassword, normalizePassword, spendPasswordCheck, verifyPassword } = await import('../../functions/core/hashing.js');

/** NIST SP 800-63B §5.1.1.2: passwords are NFKC-normalized before they are hashed or compared. */
const nfc = 'café crème brûlée'.normalize('NFC');
const nfd = nfc.normalize('NFD');

/** A hash as the service made them before passwords were normalized: of the password exactly as typed. */
async function legacyHash(password: string): Promise<string> {
  return argon2id({
    password,
    salt: randomBytes(16),
    memorySize: 19_456,
    iterations: 2,
    parallelism: 1,
    hashLength: 32,
    outputType: 'encoded',
  });
}

describe('password normalization', () => {
  it('starts from two different strings: the NFC and NFD forms differ in code points', () => {
    // Assess: otherwise the tests below prove nothing
    expect(nfd).not.toBe(nfc);
    expect(nfd.length).toBeGreaterThan(nfc.length);
    expect(normalizePassword(nfd)).toBe(nfc);
  });

  it('accepts the NFD form of a password set in NFC, and the NFC form of one set in NFD', async () => {
    // Prepare
    const [setInNfc, setInNfd] = await Promise.all([hashPassword(nfc), hashPassword(nfd)]);

    // Act
    const accepted = await Promise.all([verifyPassword(nfd, setInNfc), verifyPassword(nfc, setInNfd)]);

    // Assess
    expect(accepted).toEqual([true, true]);
  });

  it('hashes the NFKC form, not the password as typed', async () => {
    // Act
    const encoded = await hashPassword(nfd);

    // Assess
    await expect(argon2Verify({ password: nfc, hash: encoded })).resolves.toBe(true);
    await expect(argon2Verify({ password: nfd, hash: encoded })).resolves.toBe(false);
  });

  it('still accepts a hash made before normalization from a password that is not in NFKC', async () => {
    // Prepare
    const encoded = await legacyHash(nfd);

    // Act
    const accepted = await verifyPassword(nfd, encoded);

    // Assess
    expect(accepted).toBe(true);
  });

  it('accepts a hash made before normalization from a password already in NFKC, in either form', async () => {
    // Prepare
    const encoded = await legacyHash(nfc);

    // Act
    const accepted = await Promise.all([verifyPassword(nfc, encoded), verifyPassword(nfd, encoded)]);

    // Assess
    expect(accepted).toEqual([true, true]);
  });

  it('treats fullwidth letters, digits and spaces as their ASCII forms (NFKC compatibility)', async () => {
    // Prepare
    const fullwidth = 'ｃｏｒｒｅｃｔ\u3000ｈｏｒｓｅ １２３';
    const encoded = await hashPassword('correct horse 123');

    // Act
    const accepted = await verifyPassword(fullwidth, encoded);

    // Assess
    expect(normalizePassword(fullwidth)).toBe('correct horse 123');
    expect(accepted).toBe(true);
  });

  it.each([
    ['another letter', 'cafe crème brûlée'],
    ['another case', 'Café crème brûlée'],
    ['a missing accent in NFD', 'cafe\u0301 creme brûlée'.normalize('NFD')],
  ])('still refuses a different password: %s', async (_what, wrong) => {
    // Prepare
    const encoded = await hashPassword(nfc);

    // Act
    const accepted = await verifyPassword(wrong, encoded);

    // Assess
    expect(accepted).toBe(false);
  });

  it.each([
    ['a password NFKC changes', 'wrong café password'.normalize('NFD'), 2],
    ['a password already in NFKC', 'wrong cafe password', 1],
  ])('gives an unknown email the same hashes as a wrong password against an account: %s', async (_what, wrong, hashes) => {
    // Prepare
    const encoded = await hashPassword('correct horse battery staple');
    countedHash.mockClear();

    // Act
    const accepted = await verifyPassword(wrong, encoded);
    const againstAccount = countedHash.mock.calls.length;
    countedHash.mockClear();
    await spendPasswordCheck(wrong);
    const forUnknownEmail = countedHash.mock.calls.length;

    // Assess: a login answer's timing must not tell an unknown email from a wrong password
    expect(accepted).toBe(false);
    expect([againstAccount, forUnknownEmail]).toEqual([hashes, hashes]);
  });
});
