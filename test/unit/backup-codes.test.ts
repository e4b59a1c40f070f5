import {
  backupCodeAlphabet,
  backupCodesFile,
  generateBackupCode,
  generateBackupCodes,
  normalizeBackupCode,
} from '../../functions/core/backup-codes.js';

/** API.md: `xxxxx-xxxxx` from an unambiguous lowercase alphabet (Crockford's base32: no i, l, o, u). */
const backupCodeFormat = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('backupCodeAlphabet', () => {
  it('has 32 distinct lowercase characters, so 10 characters carry 50 bits', () => {
    // Assess
    expect(new Set(backupCodeAlphabet).size).toBe(32);
    expect(backupCodeAlphabet).toHaveLength(32);
    expect(10 * Math.log2(new Set(backupCodeAlphabet).size)).toBeGreaterThanOrEqual(50);
  });

  it.each(['i', 'l', 'o', 'u'])('leaves out the ambiguous letter %s', (letter) => {
    // Assess
    expect(backupCodeAlphabet).not.toContain(letter);
  });

  it('has only digits and lowercase letters', () => {
    // Assess
    expect(backupCodeAlphabet).toMatch(/^[0-9a-z]+$/);
  });
});

describe('generateBackupCode', () => {
  it('has the xxxxx-xxxxx format over many samples', () => {
    // Act
    const codes = Array.from({ length: 2_000 }, () => generateBackupCode());

    // Assess
    for (const code of codes) expect(code).toMatch(backupCodeFormat);
  });

  it('does not repeat itself', () => {
    // Act
    const codes = Array.from({ length: 2_000 }, () => generateBackupCode());

    // Assess
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('uses every character of the alphabet about equally often (no modulo bias)', () => {
    // Prepare
    const codeCount = 20_000;
    const counts = new Map<string, number>(Array.from(backupCodeAlphabet, (char) => char).map((char) => [char, 0]));

    // Act
    for (let i = 0; i < codeCount; i += 1) {
      for (const char of generateBackupCode().replace('-', '')) counts.set(char, (counts.get(char) ?? 0) + 1);
    }

    // Assess: 200 000 characters, 6 250 expected each, standard deviation about 78;
    // a ±10 % band (±625, 8 standard deviations) never fails by chance but catches a biased mapping.
    const expected = (codeCount * 10) / 32;
    expect(counts.size).toBe(32);
    const outOfBand = [...counts].filter(([, count]) => Math.abs(count - expected) > expected * 0.1);
    expect(outOfBand).toEqual([]);
  });
});

describe('generateBackupCodes', () => {
  it('makes a set of 10 distinct codes by default', () => {
    // Act
    const codes = generateBackupCodes();

    // Assess
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(backupCodeFormat);
  });

  it('makes as many codes as asked for', () => {
    // Act
    const codes = generateBackupCodes(25);

    // Assess
    expect(codes).toHaveLength(25);
    expect(new Set(codes).size).toBe(25);
  });

  it('makes a different set each time', () => {
    // Act
    const first = generateBackupCodes();
    const second = generateBackupCodes();

    // Assess
    expect(first.filter((code) => second.includes(code))).toEqual([]);
  });
});

describe('normalizeBackupCode', () => {
  it.each([
    { label: 'the code as issued', input: 'a1b2c-3d4e5', normalized: 'a1b2c3d4e5' },
    { label: 'upper case', input: 'A1B2C-3D4E5', normalized: 'a1b2c3d4e5' },
    { label: 'mixed case', input: 'a1B2c-3D4e5', normalized: 'a1b2c3d4e5' },
    { label: 'a missing hyphen', input: 'a1b2c3d4e5', normalized: 'a1b2c3d4e5' },
    { label: 'a space instead of the hyphen', input: 'a1b2c 3d4e5', normalized: 'a1b2c3d4e5' },
    { label: 'surrounding whitespace', input: '  a1b2c-3d4e5\n', normalized: 'a1b2c3d4e5' },
    { label: 'spaces between groups of any size', input: 'a1 b2 c3 d4 e5', normalized: 'a1b2c3d4e5' },
    { label: 'o read as 0', input: 'oO000-zzzzz', normalized: '00000zzzzz' },
    { label: 'i and l read as 1', input: 'iIlL1-zzzzz', normalized: '11111zzzzz' },
  ])('accepts $label', ({ input, normalized }) => {
    // Act
    const result = normalizeBackupCode(input);

    // Assess
    expect(result).toBe(normalized);
  });

  it('turns every generated code into its ten characters without the hyphen', () => {
    // Prepare
    const codes = generateBackupCodes(50);

    for (const code of codes) {
      // Act
      const result = normalizeBackupCode(code.toUpperCase());

      // Assess
      expect(result).toBe(code.replace('-', ''));
    }
  });

  it.each([
    { label: 'nine characters', input: 'a1b2c-3d4e' },
    { label: 'eleven characters', input: 'a1b2c-3d4e5f' },
    { label: 'nothing', input: '' },
    { label: 'only a hyphen', input: '-' },
    { label: 'the letter u, outside the alphabet', input: 'a1b2c-3d4eu' },
    { label: 'punctuation', input: 'a1b2c-3d4e!' },
    { label: 'an underscore instead of the hyphen', input: 'a1b2c_3d4e5' },
    { label: 'an accented letter', input: 'á1b2c-3d4e5' },
    { label: 'a full-width digit', input: 'a1b2c-3d4e５' },
  ])('rejects $label', ({ input }) => {
    // Act
    const result = normalizeBackupCode(input);

    // Assess
    expect(result).toBeNull();
  });
});

describe('backupCodesFile', () => {
  const codes = generateBackupCodes();
  const email = 'alice+2fa@example.test';

  it('is a plain-text .txt file', () => {
    // Act
    const file = backupCodesFile('Demo Portal', email, codes, '2025-01-02T03:04:05.000Z');

    // Assess
    expect(file.contentType).toBe('text/plain');
    expect(file.filename).toMatch(/\.txt$/);
  });

  it('lists every code and names the account', () => {
    // Act
    const file = backupCodesFile('Demo Portal', email, codes, '2025-01-02T03:04:05.000Z');

    // Assess
    for (const code of codes) expect(file.content).toContain(code);
    expect(file.content).toContain(email);
    expect(file.content).toContain('Demo Portal');
  });

  it.each(['../../etc/passwd', 'Demo "Portal"\r\nX-Injected: 1', 'Ünïcödé App', '   '])(
    'gives a safe file name for the app name %j',
    (appName) => {
      // Act
      const file = backupCodesFile(appName, email, codes, '2025-01-02T03:04:05.000Z');

      // Assess: the name ends up in a Content-Disposition header and on the user's disk
      expect(file.filename).toMatch(/^[a-z0-9][a-z0-9-]*\.txt$/);
    },
  );
});
