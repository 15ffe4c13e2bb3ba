import { ApiError } from '../api-error.ts';

/** One part of a keyset page's sort key, as a cursor carries it. */
type KeyPart = 'flag' | 'micros' | 'id';
type KeyValue<P extends KeyPart> = P extends 'flag' ? 0 | 1 : string;

const VALID: Record<KeyPart, (value: unknown) => boolean> = {
  flag: (value) => value === 0 || value === 1,
  // a timestamp as microseconds since the epoch (exact, unlike a JS Date)
  micros: (value) => typeof value === 'string' && /^-?\d{1,17}$/.test(value),
  id: (value) => typeof value === 'string' && value.length > 0 && value.length <= 200,
};

/**
 * The cursor of a keyset page: the last row's sort key as base64url JSON.
 * Clients treat it as opaque; the one decoder below refuses anything it did
 * not give out (400 invalid_cursor), whatever list it belongs to.
 */
export function encodePageCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodePageCursor<const S extends readonly KeyPart[]>(
  text: string,
  shape: S,
): { [K in keyof S]: KeyValue<S[K]> } {
  const refused = () => new ApiError(400, 'invalid_cursor', 'the cursor is not one this API gave out');
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw refused();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (
    !Array.isArray(value) ||
    value.length !== shape.length ||
    !shape.every((part, i) => VALID[part](value[i]))
  ) {
    throw refused();
  }
  return value as { [K in keyof S]: KeyValue<S[K]> };
}
