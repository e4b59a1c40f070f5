import { randomBytes } from 'node:crypto';

/** Crockford's base32 in lowercase: no i, l, o or u, so no code can be misread; 5 bits per character. */
export const backupCodeAlphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const backupCodesPerSet = 10;
const codeLength = 10;

/** One backup code, `xxxxx-xxxxx`: 10 characters of 5 bits, 50 random bits. */
export function generateBackupCode(): string {
  const bytes = randomBytes(codeLength);
  let code = '';
  for (const byte of bytes) code += backupCodeAlphabet.charAt(byte & 31);
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export function generateBackupCodes(count: number = backupCodesPerSet): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(generateBackupCode());
  return [...codes];
}

/**
 * The canonical form a code is hashed in: case, hyphens and spaces ignored, and the letters people
 * confuse with digits read as those digits (Crockford). `null` when it cannot be a backup code.
 */
export function normalizeBackupCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (compact.length !== codeLength) return null;
  for (const char of compact) if (!backupCodeAlphabet.includes(char)) return null;
  return compact;
}

export interface BackupCodesFile {
  filename: string;
  contentType: 'text/plain';
  content: string;
}

/**
 * Characters that can start a line or reorder what a reader sees: controls (Cc: CR, LF, TAB, DEL, NEL and
 * the other C1 codes), format characters (Cf: bidi marks, embeddings, overrides and isolates, zero-width
 * characters), line and paragraph separators (Zl, Zp), and unpaired surrogates (Cs).
 */
const unsafeInLine = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+/gu;

/**
 * Tenant or user text made safe to interpolate into one line of a text file: each run of the characters
 * above becomes one U+FFFD, visible, so a name cannot add an `Account:` line or flip the text around it.
 */
function oneLineText(text: string): string {
  return text.replace(unsafeInLine, '\uFFFD');
}

/**
 * The .txt a user downloads and keeps somewhere safe. The app's name and the email are the tenant's and
 * the user's text, so they go in through oneLineText: whatever they hold, the file has exactly its own
 * lines, in its own order. The file name keeps only ASCII letters, digits and hyphens.
 */
export function backupCodesFile(appName: string, email: string, codes: readonly string[], generatedAt: string): BackupCodesFile {
  const slug =
    appName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'app';
  const lines = [
    `${oneLineText(appName)} backup codes`,
    `Account: ${oneLineText(email)}`,
    `Generated: ${oneLineText(generatedAt)}`,
    '',
    'Each code signs you in once if you lose access to your authenticator app.',
    'Keep this file somewhere safe. Generating new codes makes these stop working.',
    '',
    ...codes.map((code, index) => `${String(index + 1).padStart(2, ' ')}. ${code}`),
    '',
  ];
  return { filename: `${slug}-backup-codes.txt`, contentType: 'text/plain', content: lines.join('\n') };
}
