import {
  generateTotpSecret,
  hotp,
  manualEntryKey,
  otpauthUri,
  timeStep,
  totpAt,
  totpDefaults,
  verifyTotp,
} from '../../functions/core/totp.js';
import type { TotpAlgorithm } from '../../functions/core/totp.js';
import { base32Decode, hotpCode } from '../support/authenticator.js';

/**
 * The independent RFC 4226 / RFC 6238 implementation the integration tests play the authenticator app
 * with (node:crypto only), so the window tests do not take their expected codes from the module under test.
 */
function referenceHotp(secret: Uint8Array, counter: number, algorithm: TotpAlgorithm = 'SHA1', digits = 6): string {
  return hotpCode(Buffer.from(secret), counter, digits, algorithm.toLowerCase());
}

const referenceTotp = referenceHotp;
const decodeBase32 = base32Decode;

/** RFC 6238 Appendix A: each HMAC algorithm has its own seed, the ASCII digits repeated to its key length. */
const rfcSeeds: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890', 'ascii'),
  SHA256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

/** RFC 6238 Appendix B: time (s), T, and the 8-digit TOTP of each algorithm. */
const rfc6238Vectors: Array<{ seconds: number; step: number; codes: Record<TotpAlgorithm, string> }> = [
  { seconds: 59, step: 1, codes: { SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' } },
  { seconds: 1111111109, step: 0x023523ec, codes: { SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' } },
  { seconds: 1111111111, step: 0x023523ed, codes: { SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' } },
  { seconds: 1234567890, step: 0x0273ef07, codes: { SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' } },
  { seconds: 2000000000, step: 0x03f940aa, codes: { SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' } },
  { seconds: 20000000000, step: 0x27bc86aa, codes: { SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' } },
];

const rfc6238Table = rfc6238Vectors.flatMap(({ seconds, step, codes }) =>
  (Object.keys(codes) as TotpAlgorithm[]).map((algorithm) => ({ seconds, step, algorithm, code: codes[algorithm] })),
);

/** RFC 4226 Appendix D: HOTP values of counters 0–9 for the secret "12345678901234567890". */
const rfc4226Values = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('TOTP defaults', () => {
  it('match what authenticator apps support: SHA-1, 6 digits, 30 s, one step either side', () => {
    // Assess
    expect(totpDefaults).toEqual({ algorithm: 'SHA1', digits: 6, period: 30, window: 1 });
  });
});

describe('hotp (RFC 4226 Appendix D)', () => {
  const secret = rfcSeeds.SHA1;

  it.each(rfc4226Values.map((code, counter) => ({ counter, code })))('gives $code for counter $counter', ({ counter, code }) => {
    // Act
    const value = hotp(secret, counter);

    // Assess
    expect(value).toBe(code);
    expect(referenceHotp(secret, counter)).toBe(code);
  });
});

describe('totpAt (RFC 6238 Appendix B)', () => {
  it.each(rfc6238Table)('gives $code with $algorithm at $seconds s', ({ seconds, algorithm, code }) => {
    // Act
    const value = totpAt(rfcSeeds[algorithm], seconds * 1000, { algorithm, digits: 8 });

    // Assess
    expect(value).toBe(code);
  });

  it.each(rfc6238Table)('agrees with the reference implementation: $algorithm at $seconds s', ({ step, algorithm, code }) => {
    // Assess: the independent implementation used by the window tests reproduces the RFC too
    expect(referenceTotp(rfcSeeds[algorithm], step, algorithm, 8)).toBe(code);
  });
});

describe('timeStep', () => {
  it.each(rfc6238Vectors)('is $step at $seconds s', ({ seconds, step }) => {
    // Assess
    expect(timeStep(seconds * 1000)).toBe(step);
  });
});

describe('verifyTotp', () => {
  describe('on the RFC 6238 Appendix B vectors', () => {
    it.each(rfc6238Table)('accepts $code with $algorithm at $seconds s as step $step, offset 0', ({ seconds, step, algorithm, code }) => {
      // Act
      const match = verifyTotp(rfcSeeds[algorithm], code, seconds * 1000, { algorithm, digits: 8 });

      // Assess
      expect(match).toEqual({ step, offset: 0 });
    });
  });

  describe('with the default parameters', () => {
    const secret = Buffer.from('8f4e1c2a9b3d5e7f60718293a4b5c6d7e8f90a1b', 'hex');
    const currentStep = 56_789_012;
    const stepStartMs = 30_000 * currentStep;
    const codeOf = (step: number) => referenceTotp(secret, step);

    it('has five distinct codes around the current step, so each case below tests one step only', () => {
      // Assess
      const codes = [-2, -1, 0, 1, 2].map((offset) => codeOf(currentStep + offset));
      expect(new Set(codes).size).toBe(5);
    });

    it.each([
      { instant: 'the first millisecond of the step', atMs: stepStartMs },
      { instant: 'the middle of the step', atMs: stepStartMs + 15_000 },
      { instant: 'the last millisecond of the step', atMs: stepStartMs + 29_999 },
    ])('accepts the current code at $instant with offset 0', ({ atMs }) => {
      // Act
      const match = verifyTotp(secret, codeOf(currentStep), atMs);

      // Assess
      expect(match).toEqual({ step: currentStep, offset: 0 });
    });

    it.each([
      { step: 'T-1', offset: -1, instant: 'the middle of T', atMs: stepStartMs + 15_000 },
      { step: 'T+1', offset: 1, instant: 'the middle of T', atMs: stepStartMs + 15_000 },
      { step: 'T-1', offset: -1, instant: 'the first millisecond of T', atMs: stepStartMs },
      { step: 'T+1', offset: 1, instant: 'the last millisecond of T', atMs: stepStartMs + 29_999 },
    ])('accepts the code of step $step at $instant with offset $offset', ({ offset, atMs }) => {
      // Act
      const match = verifyTotp(secret, codeOf(currentStep + offset), atMs);

      // Assess
      expect(match).toEqual({ step: currentStep + offset, offset });
    });

    it.each([
      { step: 'T-2', offset: -2, instant: 'the middle of T', atMs: stepStartMs + 15_000 },
      { step: 'T+2', offset: 2, instant: 'the middle of T', atMs: stepStartMs + 15_000 },
      { step: 'T-2', offset: -2, instant: 'the first millisecond of T', atMs: stepStartMs },
      { step: 'T+2', offset: 2, instant: 'the last millisecond of T', atMs: stepStartMs + 29_999 },
    ])('rejects the code of step $step at $instant', ({ offset, atMs }) => {
      // Act
      const match = verifyTotp(secret, codeOf(currentStep + offset), atMs);

      // Assess
      expect(match).toBeNull();
    });

    it('moves the window at the step boundary: at the first millisecond of T+1 the code of T-1 is too old', () => {
      // Prepare
      const lastMsOfStep = stepStartMs + 29_999;
      const firstMsOfNextStep = stepStartMs + 30_000;

      // Act
      const before = verifyTotp(secret, codeOf(currentStep - 1), lastMsOfStep);
      const after = verifyTotp(secret, codeOf(currentStep - 1), firstMsOfNextStep);

      // Assess
      expect(before).toEqual({ step: currentStep - 1, offset: -1 });
      expect(after).toBeNull();
    });

    it('moves the window at the step boundary: at the last millisecond of T-1 the code of T+1 is too new', () => {
      // Prepare
      const lastMsOfPreviousStep = stepStartMs - 1;

      // Act
      const before = verifyTotp(secret, codeOf(currentStep + 1), lastMsOfPreviousStep);
      const after = verifyTotp(secret, codeOf(currentStep + 1), stepStartMs);

      // Assess
      expect(before).toBeNull();
      expect(after).toEqual({ step: currentStep + 1, offset: 1 });
    });

    it('rejects a code of another secret', () => {
      // Prepare
      const otherSecret = Buffer.alloc(20, 7);
      const code = referenceTotp(otherSecret, currentStep);
      expect([-1, 0, 1].map((offset) => codeOf(currentStep + offset))).not.toContain(code);

      // Act
      const match = verifyTotp(secret, code, stepStartMs + 15_000);

      // Assess
      expect(match).toBeNull();
    });

    const currentCode = referenceTotp(secret, currentStep);
    it.each([
      { label: 'five digits', code: '12345' },
      { label: 'seven digits', code: '1234567' },
      { label: 'letters', code: 'abcdef' },
      { label: 'a leading space', code: ' 123456' },
      { label: 'nothing', code: '' },
      { label: 'the valid code cut to five digits', code: currentCode.slice(0, 5) },
      { label: 'the valid code with a seventh digit', code: `${currentCode}0` },
      { label: 'the valid code with a leading space', code: ` ${currentCode}` },
      { label: 'the valid code with a trailing newline', code: `${currentCode}\n` },
      {
        label: 'the valid code in full-width digits',
        code: String.fromCodePoint(...Array.from(currentCode, (digit) => 0xff10 + Number(digit))),
      },
    ])('rejects a malformed code: $label', ({ code }) => {
      // Act
      const match = verifyTotp(secret, code, stepStartMs + 15_000);

      // Assess
      expect(match).toBeNull();
    });
  });

  describe('beyond 2^32 seconds', () => {
    const seconds = 20_000_000_000;
    const secret = Buffer.from('00112233445566778899aabbccddeeff01234567', 'hex');

    it('agrees with the reference implementation at 20000000000 s, step 666666666', () => {
      // Prepare
      const expected = referenceTotp(secret, 666_666_666);

      // Act
      const generated = totpAt(secret, seconds * 1000);
      const match = verifyTotp(secret, expected, seconds * 1000);

      // Assess
      expect(timeStep(seconds * 1000)).toBe(666_666_666);
      expect(generated).toBe(expected);
      expect(match).toEqual({ step: 666_666_666, offset: 0 });
    });
  });
});

describe('generateTotpSecret', () => {
  it('is 160 bits', () => {
    // Act
    const secret = generateTotpSecret();

    // Assess
    expect(secret).toHaveLength(20);
  });

  it('differs between calls', () => {
    // Act
    const secrets = Array.from({ length: 50 }, () => generateTotpSecret().toString('hex'));

    // Assess
    expect(new Set(secrets).size).toBe(50);
  });
});

describe('manualEntryKey', () => {
  it('is the RFC 4648 base32 of the secret in groups of four', () => {
    // Assess
    expect(manualEntryKey(rfcSeeds.SHA1)).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
  });

  it('is 32 base32 characters in 8 groups of 4 separated by single spaces that decode back to the secret', () => {
    // Prepare
    const secrets = Array.from({ length: 20 }, () => generateTotpSecret());

    for (const secret of secrets) {
      // Act
      const key = manualEntryKey(secret);

      // Assess
      expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
      expect(decodeBase32(key.replaceAll(' ', ''))).toEqual(secret);
    }
  });
});

describe('otpauthUri', () => {
  const secret = rfcSeeds.SHA1;
  const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('has the exact format of API.md', () => {
    // Act
    const uri = otpauthUri('Demo', 'alice@example.test', secret);

    // Assess
    expect(uri).toBe(`otpauth://totp/Demo:alice%40example.test?secret=${base32}&issuer=Demo&algorithm=SHA1&digits=6&period=30`);
  });

  it('percent-encodes a space in the issuer as %20, never +', () => {
    // Act
    const uri = otpauthUri('Demo Portal', 'alice@example.test', secret);

    // Assess
    expect(uri).toBe(
      `otpauth://totp/Demo%20Portal:alice%40example.test?secret=${base32}&issuer=Demo%20Portal&algorithm=SHA1&digits=6&period=30`,
    );
    expect(uri).not.toContain('+');
  });

  it('percent-encodes + and @ in the email', () => {
    // Act
    const uri = otpauthUri('Demo Portal', 'alice+2fa@example.test', secret);

    // Assess
    expect(uri).toContain('/Demo%20Portal:alice%2B2fa%40example.test?');
    expect(uri).not.toContain('+');
  });

  it('parses back to the issuer, account and secret', () => {
    // Prepare
    const randomSecret = generateTotpSecret();

    // Act
    const url = new URL(otpauthUri('Demo Portal & Co: "Staging"', 'alice+2fa@example.test', randomSecret));

    // Assess
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    const label = decodeURIComponent(url.pathname.slice(1));
    expect(label).toBe('Demo Portal & Co: "Staging":alice+2fa@example.test');
    expect(url.searchParams.get('issuer')).toBe('Demo Portal & Co: "Staging"');
    expect(decodeBase32(url.searchParams.get('secret')!)).toEqual(randomSecret);
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
  });

  it('keeps the issuer and account apart even when the issuer contains a colon', () => {
    // Act
    const uri = otpauthUri('Acme: Staging', 'alice@example.test', secret);

    // Assess: exactly one unencoded colon separates issuer and account in the label
    const label = new URL(uri).pathname.slice(1);
    expect(label.split(':')).toEqual(['Acme%3A%20Staging', 'alice%40example.test']);
  });
});
