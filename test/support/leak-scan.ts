import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { base32Decode } from './authenticator.js';

/**
 * The "nothing leaks" check of docs/SECURITY.md. During a test run, `call()` records every sensitive value
 * that crosses the API (a ledger file, one JSON line per value); after the run the global teardown looks
 * for each of them, in the forms a careless change would store or print, in every item of the table, every
 * line the stack logged and every email it sent. This module is pure apart from the ledger file, so a unit test can plant a
 * secret and watch the scan find it.
 */
type SensitiveKind = 'password' | 'one-time code' | 'backup code' | 'token' | 'TOTP secret';

export interface SensitiveValue {
  kind: SensitiveKind;
  value: string;
}

/** Where a value was found, named without the value itself: a test report must not leak it either. */
export interface Leak {
  kind: SensitiveKind;
  /** How it was written there: `as sent`, `hex`, `base64`, … */
  form: string;
  where: string;
}

export interface Haystack {
  /** E.g. `table item pk=USER#usr_… sk=TOTP, attribute secret` or `stack log line 12`. */
  where: string;
  text: string;
}

/** The environment variable naming the ledger file; set by the global setup for the test processes. */
export const sensitiveValuesFileVariable = 'TWOFA_SENSITIVE_VALUES_FILE';

/** Appends values to the ledger when a test run keeps one (outside jest, `call()` records nothing). */
export function recordSensitiveValues(values: readonly SensitiveValue[], file = process.env[sensitiveValuesFileVariable]): void {
  if (!file || values.length === 0) return;
  // One write per call with O_APPEND: lines of parallel test workers do not interleave.
  appendFileSync(file, values.map((value) => `${JSON.stringify(value)}\n`).join(''), { mode: 0o600 });
}

export function readSensitiveValues(file: string): SensitiveValue[] {
  if (!existsSync(file)) return [];
  const unique = new Map<string, SensitiveValue>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const value = JSON.parse(line) as SensitiveValue;
    unique.set(`${value.kind}\u0000${value.value}`, value);
  }
  return [...unique.values()];
}

export interface Exchange {
  request?: unknown;
  status: number;
  response?: unknown;
  /** The raw response text, for the `.txt` download of backup codes. */
  responseText?: string;
}

const backupCodeInText = /(?<![a-z0-9])[a-z0-9]{5}-[a-z0-9]{5}(?![a-z0-9])/g;

/**
 * The sensitive values of one API exchange. Tokens, backup codes and TOTP secrets are taken from what the
 * service issued; passwords and codes from what it was sent, but only when it took them in (not a 400 or
 * 413): a fuzzed string the schema refused was never a credential, and some are too plain to search for.
 */
export function sensitiveValuesOf(exchange: Exchange): SensitiveValue[] {
  const found: SensitiveValue[] = [];
  const add = (kind: SensitiveKind, value: unknown) => {
    if (typeof value === 'string' && value.length > 0) found.push({ kind, value });
  };
  const takenIn = exchange.status !== 400 && exchange.status !== 413 && exchange.status < 500;
  const request = asRecord(exchange.request);
  if (request && takenIn) {
    add('password', request.password);
    add('password', request.adminPassword);
    add('one-time code', request.code);
    add('backup code', request.backupCode);
  }
  const response = asRecord(exchange.response);
  if (response) {
    add('token', asRecord(response.session)?.token);
    add('token', asRecord(response.challenge)?.token);
    add('token', asRecord(response.device)?.token);
    if (Array.isArray(response.backupCodes)) for (const code of response.backupCodes) add('backup code', code);
    const file = asRecord(response.backupCodesFile)?.content;
    if (typeof file === 'string') for (const code of file.match(backupCodeInText) ?? []) add('backup code', code);
    if (typeof response.manualEntryKey === 'string') add('TOTP secret', response.manualEntryKey.replace(/\s+/g, ''));
    if (typeof response.otpauthUri === 'string') add('TOTP secret', secretOfOtpauthUri(response.otpauthUri));
  } else if (typeof exchange.responseText === 'string' && exchange.status === 200) {
    for (const code of exchange.responseText.match(backupCodeInText) ?? []) add('backup code', code);
  }
  return found;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function secretOfOtpauthUri(uri: string): string | undefined {
  try {
    return new URL(uri).searchParams.get('secret') ?? undefined;
  } catch {
    return undefined;
  }
}

interface Needle {
  kind: SensitiveKind;
  form: string;
  text: string;
}

/** Shorter needles than this match ordinary text by chance; one-time codes are matched as whole words. */
const minimumNeedleLength = 8;

/**
 * The forms in which a value could end up stored or logged: as sent, and the encodings of its bytes that
 * cost nothing to compute (hex, base64, base64url; both letter cases where the encoding ignores case).
 */
function needlesOf(value: SensitiveValue): Needle[] {
  const forms = new Map<string, string>();
  const put = (form: string, text: string | undefined) => {
    if (text && !forms.has(text)) forms.set(text, form);
  };
  const bytesForms = (bytes: Buffer, label: string) => {
    put(`${label}hex`, bytes.toString('hex'));
    put(`${label}hex`, bytes.toString('hex').toUpperCase());
    put(`${label}base64`, bytes.toString('base64').replace(/=+$/, ''));
    put(`${label}base64url`, bytes.toString('base64url'));
  };
  put('as sent', value.value);
  switch (value.kind) {
    case 'password':
      bytesForms(Buffer.from(value.value, 'utf8'), 'UTF-8 ');
      break;
    case 'token': {
      const bytes = Buffer.from(value.value, 'base64url');
      if (bytes.toString('base64url') === value.value) bytesForms(bytes, 'decoded, ');
      break;
    }
    case 'TOTP secret': {
      const base32 = value.value.toUpperCase();
      put('base32', base32);
      put('base32, lower case', base32.toLowerCase());
      put('grouped manual key', base32.match(/.{1,4}/g)?.join(' '));
      bytesForms(base32Decode(base32), 'decoded, ');
      break;
    }
    case 'backup code': {
      const bare = value.value.replace(/-/g, '');
      put('without hyphen', bare);
      put('upper case', value.value.toUpperCase());
      put('upper case without hyphen', bare.toUpperCase());
      break;
    }
    case 'one-time code':
      break;
  }
  return [...forms].map(([text, form]) => ({ kind: value.kind, form, text }));
}

/**
 * A value too plain to tell from ordinary text (`aaaaaaaa`, eight spaces) is not searched for: finding it
 * would prove nothing. Test passwords and every issued token, code and secret are far from that.
 */
function isDistinctive(text: string): boolean {
  return text.length >= minimumNeedleLength && new Set(text.replace(/\s/g, '')).size >= 5;
}

const oneTimeCodeShape = /^\d{6}$/;

/**
 * Every place a recorded value appears in the haystacks, in any of its forms. Long values are found by a
 * single pass keyed on 8-character windows (tens of thousands of needles over megabytes of text); a
 * one-time code only as a whole word, since six digits occur inside hashes, ids and timestamps by chance.
 */
export function findLeaks(haystacks: readonly Haystack[], values: readonly SensitiveValue[]): Leak[] {
  const byPrefix = new Map<string, Needle[]>();
  const codes = new Map<string, Needle>();
  for (const value of values) {
    if (value.kind === 'one-time code') {
      if (oneTimeCodeShape.test(value.value)) codes.set(value.value, { kind: value.kind, form: 'as sent', text: value.value });
      continue;
    }
    for (const needle of needlesOf(value)) {
      if (!isDistinctive(needle.text)) continue;
      const prefix = needle.text.slice(0, minimumNeedleLength);
      const bucket = byPrefix.get(prefix);
      if (bucket) bucket.push(needle);
      else byPrefix.set(prefix, [needle]);
    }
  }
  const leaks = new Map<string, Leak>();
  const report = (needle: Needle, where: string) =>
    leaks.set(`${needle.kind}\u0000${needle.form}\u0000${where}`, { kind: needle.kind, form: needle.form, where });
  for (const { where, text } of haystacks) {
    for (let index = 0; index + minimumNeedleLength <= text.length; index++) {
      const bucket = byPrefix.get(text.slice(index, index + minimumNeedleLength));
      if (!bucket) continue;
      for (const needle of bucket) if (text.startsWith(needle.text, index)) report(needle, where);
    }
    if (codes.size > 0) {
      for (const word of text.match(/[0-9A-Za-z]+/g) ?? []) {
        const needle = word.length === 6 ? codes.get(word) : undefined;
        if (needle) report(needle, where);
      }
    }
  }
  return [...leaks.values()];
}

/** A failure message that says what leaked where, never the value. */
export function describeLeaks(leaks: readonly Leak[]): string {
  const lines = leaks.slice(0, 50).map((leak) => `  - a ${leak.kind} (${leak.form}) in ${leak.where}`);
  if (leaks.length > 50) lines.push(`  … and ${leaks.length - 50} more`);
  return `Sensitive values leaked in plaintext (${leaks.length}):\n${lines.join('\n')}`;
}
