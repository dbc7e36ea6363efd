import { AppError } from './errors.js';

/** Opaque keyset cursor: the sort key, the last row's sort value and id. */
export interface Cursor {
  s: string;
  v: string | number | null;
  id: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string, expectedSort: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c !== 'object' || c === null || typeof c.id !== 'number' || c.s !== expectedSort)
      throw new Error();
    return c;
  } catch {
    throw new AppError('validation_failed', 'cursor is not valid for this list and sort order.', [
      {
        field: 'cursor',
        message: 'is not a cursor from this list (use next_cursor as given, with the same sort)',
      },
    ]);
  }
}
