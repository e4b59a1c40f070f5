import {
  findHash,
  hashBackupCode,
  hashPassword,
  newBackupCodeSalt,
  spendPasswordCheck,
  verifyPassword,
} from '../../functions/core/hashing.js';
import { hashToken, newId, newToken } from '../../functions/core/tokens.js';

/** The parameters of a PHC-encoded Argon2 hash: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
function parseArgon2(encoded: string): { variant: string; version: number; m: number; t: number; p: number; salt: Buffer; hash: Buffer } {
  const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!match) throw new Error(`not an encoded Argon2 hash: ${encoded}`);
  const [, variant, version, m, t, p, salt, hash] = match;
  return {
    variant: variant!,
    version: Number(version),
    m: Number(m),
    t: Number(t),
    p: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    hash: Buffer.from(hash!, 'base64'),
  };
}

describe('newToken', () => {
  it('is 43 base64url characters, 256 random bits', () => {
    // Act
    const token = newToken();

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('is unique', () => {
    // Act
    const tokens = Array.from({ length: 1_000 }, () => newToken());

    // Assess
    expect(new Set(tokens).size).toBe(1_000);
  });
});

describe('hashToken', () => {
  it('is the SHA-256 hex digest of the token', () => {
    // Act
    const hash = hashToken('abc');

    // Assess: FIPS 180-2 test vector
    expect(hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is 64 hex characters, deterministic, and never the token itself', () => {
    // Prepare
    const token = newToken();

    // Act
    const hash = hashToken(token);

    // Assess
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).toBe(hash);
    expect(hash).not.toBe(token);
    expect(hash).not.toContain(token);
  });

  it('differs between tokens', () => {
    // Act
    const first = hashToken(newToken());
    const second = hashToken(newToken());

    // Assess
    expect(first).not.toBe(second);
  });
});

describe('newId', () => {
  it('is the prefix, an underscore and 128 random bits in base64url', () => {
    // Act
    const id = newId('usr');

    // Assess
    expect(id).toMatch(/^usr_[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id.slice('usr_'.length), 'base64url')).toHaveLength(16);
  });

  it('is unique', () => {
    // Act
    const ids = Array.from({ length: 1_000 }, () => newId('app'));

    // Assess
    expect(new Set(ids).size).toBe(1_000);
  });
});

describe('hashPassword', () => {
  const password = 'correct horse battery staple';
  let encoded: string;

  beforeAll(async () => {
    encoded = await hashPassword(password);
  });

  it('is an Argon2id v1.3 hash at OWASP minimum cost or above (m ≥ 19456 KiB, t ≥ 2, p = 1)', () => {
    // Act
    const parameters = parseArgon2(encoded);

    // Assess
    expect(parameters.variant).toBe('argon2id');
    expect(parameters.version).toBe(19);
    expect(parameters.m).toBeGreaterThanOrEqual(19_456);
    expect(parameters.t).toBeGreaterThanOrEqual(2);
    expect(parameters.p).toBe(1);
    expect(parameters.salt.length).toBeGreaterThanOrEqual(16);
    expect(parameters.hash.length).toBeGreaterThanOrEqual(32);
  });

  it('does not contain the password', () => {
    // Assess
    expect(encoded).not.toContain(password);
  });

  it('is accepted by verifyPassword for the same password', async () => {
    // Act
    const accepted = await verifyPassword(password, encoded);

    // Assess
    expect(accepted).toBe(true);
  });

  it.each(['correct horse battery stapl', 'Correct horse battery staple', `${password} `, 'x'])(
    'is rejected by verifyPassword for the wrong password %j',
    async (wrongPassword) => {
      // Act
      const accepted = await verifyPassword(wrongPassword, encoded);

      // Assess
      expect(accepted).toBe(false);
    },
  );

  it('is salted: two hashes of one password differ and both verify', async () => {
    // Act
    const other = await hashPassword(password);

    // Assess
    expect(other).not.toBe(encoded);
    expect(parseArgon2(other).salt).not.toEqual(parseArgon2(encoded).salt);
    await expect(verifyPassword(password, other)).resolves.toBe(true);
  });
});

describe('spendPasswordCheck', () => {
  it('completes without revealing anything', async () => {
    // Act & Assess
    await expect(spendPasswordCheck('any password')).resolves.toBeUndefined();
  });
});

describe('hashBackupCode', () => {
  const code = 'a1b2c3d4e5';

  it('is deterministic under one salt', async () => {
    // Prepare
    const salt = newBackupCodeSalt();

    // Act
    const first = await hashBackupCode(code, salt);
    const second = await hashBackupCode(code, salt);

    // Assess
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
  });

  it('differs under another salt', async () => {
    // Act
    const first = await hashBackupCode(code, newBackupCodeSalt());
    const second = await hashBackupCode(code, newBackupCodeSalt());

    // Assess
    expect(second).not.toBe(first);
  });

  it('differs for another code under one salt', async () => {
    // Prepare
    const salt = newBackupCodeSalt();

    // Act
    const first = await hashBackupCode(code, salt);
    const second = await hashBackupCode('a1b2c3d4e6', salt);

    // Assess
    expect(second).not.toBe(first);
  });

  it('uses a fresh 128-bit salt per set', () => {
    // Act
    const salts = Array.from({ length: 100 }, () => newBackupCodeSalt());

    // Assess
    expect(new Set(salts).size).toBe(100);
    for (const salt of salts) expect(Buffer.from(salt, 'base64')).toHaveLength(16);
  });
});

describe('findHash', () => {
  const candidates = ['00'.repeat(32), 'ab'.repeat(32), 'cd'.repeat(32)];

  it('finds a hash that is present', () => {
    // Act
    const found = findHash('ab'.repeat(32), candidates);

    // Assess
    expect(found).toBe('ab'.repeat(32));
  });

  it.each([
    { label: 'the first candidate', index: 0 },
    { label: 'the last candidate', index: 2 },
  ])('finds $label', ({ index }) => {
    // Prepare
    const wanted = candidates[index]!;

    // Act
    const found = findHash(wanted, candidates);

    // Assess
    expect(found).toBe(wanted);
  });

  it('returns undefined for a hash that is absent', () => {
    // Act
    const found = findHash('ef'.repeat(32), candidates);

    // Assess
    expect(found).toBeUndefined();
  });

  it('does not match a prefix of a candidate', () => {
    // Act
    const found = findHash('ab'.repeat(16), candidates);

    // Assess
    expect(found).toBeUndefined();
  });

  it('returns undefined among no candidates', () => {
    // Act
    const found = findHash('ab'.repeat(32), []);

    // Assess
    expect(found).toBeUndefined();
  });

  it('finds a real backup code hash among its set', async () => {
    // Prepare
    const salt = newBackupCodeSalt();
    const stored = await Promise.all(['aaaaabbbbb', 'cccccddddd', 'eeeeefffff'].map((code) => hashBackupCode(code, salt)));

    // Act
    const found = findHash(await hashBackupCode('cccccddddd', salt), stored);
    const notFound = findHash(await hashBackupCode('ggggghhhhh', salt), stored);

    // Assess
    expect(found).toBe(stored[1]);
    expect(notFound).toBeUndefined();
  });
});
