import type { FailureCount, SealedSecret } from '../../core/model.js';

/** An item as the document client returns it (already unmarshalled from DynamoDB's JSON). */
export type Item = Record<string, unknown>;

/** An item whose attributes do not have the shape its codec writes: never expected, answered as a 500. */
class CorruptItemError extends Error {
  constructor(entity: string, attribute: string) {
    // Names only: an attribute's value may be a secret.
    super(`stored ${entity} item has no valid ${attribute}`);
    this.name = 'CorruptItemError';
  }
}

/**
 * Checked reads of one item's attributes, so codecs decode without unchecked casts: an attribute of the
 * wrong type raises `CorruptItemError` naming the entity and attribute (never the value).
 */
export class ItemReader {
  constructor(
    private readonly item: Item,
    private readonly entity: string,
  ) {}

  string(name: string): string {
    const value = this.item[name];
    if (typeof value !== 'string') throw new CorruptItemError(this.entity, name);
    return value;
  }

  number(name: string): number {
    const value = this.item[name];
    if (typeof value !== 'number') throw new CorruptItemError(this.entity, name);
    return value;
  }

  /**
   * Absent reads as `fallback`: attributes added after items of older code were written, and optional
   * fields that older code stored as NULL.
   */
  numberOr<T extends number | null>(name: string, fallback: T): number | T {
    return this.isAbsent(name) ? fallback : this.number(name);
  }

  stringOr<T extends string | null>(name: string, fallback: T): string | T {
    return this.isAbsent(name) ? fallback : this.string(name);
  }

  private isAbsent(name: string): boolean {
    return this.item[name] === undefined || this.item[name] === null;
  }

  /** Only a stored `true` is true. */
  flag(name: string): boolean {
    return this.item[name] === true;
  }

  oneOf<const T extends string>(name: string, values: readonly T[]): T {
    const value = this.item[name];
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) throw new CorruptItemError(this.entity, name);
    return found;
  }

  strings(name: string): string[] {
    const value = this.item[name];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) throw new CorruptItemError(this.entity, name);
    return value.filter((entry): entry is string => typeof entry === 'string');
  }

  /** The names of a map attribute (a set stored as `{name: true}`, so one entry can be removed by a condition). */
  mapKeys(name: string): string[] {
    const value = this.item[name];
    if (value === undefined) return [];
    if (!isItem(value)) throw new CorruptItemError(this.entity, name);
    return Object.keys(value);
  }

  /** A flat map of scalars (an audit entry's detail); undefined when absent. */
  scalars(name: string): Record<string, string | number | boolean> | undefined {
    const value = this.item[name];
    if (value === undefined) return undefined;
    if (!isItem(value)) throw new CorruptItemError(this.entity, name);
    const entries = Object.entries(value);
    const scalarEntries = entries.filter((entry): entry is [string, string | number | boolean] => isScalar(entry[1]));
    if (scalarEntries.length !== entries.length) throw new CorruptItemError(this.entity, name);
    return Object.fromEntries(scalarEntries);
  }

  sealedSecret(name: string): SealedSecret {
    const value = this.item[name];
    if (!isItem(value)) throw new CorruptItemError(this.entity, name);
    const sealed = new ItemReader(value, `${this.entity}.${name}`);
    if (value.v !== 1) throw new CorruptItemError(this.entity, `${name}.v`);
    return { v: 1, keyId: sealed.string('keyId'), iv: sealed.string('iv'), ciphertext: sealed.string('ciphertext') };
  }

  /** A consecutive-failure count kept in two attributes; absent ones (never failed) read as none. */
  failureCount(failures: string, lock: string): FailureCount {
    return { failedAttempts: this.numberOr(failures, 0), lockedUntil: this.numberOr(lock, null) };
  }
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
