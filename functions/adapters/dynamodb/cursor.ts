import { ValidationError } from '../../core/errors.js';

/** Cursors are opaque to clients: the last sort key, base64url-encoded, checked on the way back in. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, shape: RegExp): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(sortKey)) throw new ValidationError([{ path: 'cursor', message: 'Not a cursor this listing returned.' }]);
  return sortKey;
}
