import iconv from 'iconv-lite';
import { AppError } from '../http/errors.js';

export type FileFormat = 'csv' | 'xlsx' | 'json';
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface Sniffed {
  format: FileFormat;
  /** Text formats only. */
  encoding: Encoding | null;
  /** Bytes to skip before decoding (a byte-order mark). */
  bomLength: number;
  /** CSV only: , ; tab or | */
  delimiter: string | null;
}

const DELIMITERS = [',', ';', '\t', '|'];

function reject(detail: string): never {
  throw new AppError('bad_request', detail, [{ field: 'file', message: detail }]);
}

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return bytes.every((b, i) => buf[i] === b);
}

/** True when `buf` is valid UTF-8, ignoring a multi-byte sequence cut off at the end of the sample. */
function isUtf8(buf: Buffer, complete: boolean): boolean {
  let end = buf.length;
  if (!complete) {
    // Back off to the start of the last (possibly truncated) character.
    let i = end - 1;
    while (i >= 0 && i > end - 4 && (buf[i] & 0xc0) === 0x80) i--;
    if (i >= 0 && buf[i] >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** Counts `delim` outside double quotes on each of the first lines. */
function delimiterScore(text: string, delim: string): number {
  const counts: number[] = [];
  let n = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length && counts.length < 20; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === delim) n++;
    else if (!inQuotes && ch === '\n') {
      if (n > 0 || counts.length > 0) counts.push(n);
      n = 0;
    }
  }
  if (n > 0) counts.push(n);
  const lines = counts.filter((c) => c > 0);
  if (lines.length === 0) return 0;
  // A real delimiter appears the same number of times on most lines.
  const freq = new Map<number, number>();
  for (const c of lines) freq.set(c, (freq.get(c) ?? 0) + 1);
  const [mode, times] = [...freq.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
  return (times / counts.length) * 1000 + mode;
}

export function detectDelimiter(text: string): string {
  let best = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const s = delimiterScore(text, d);
    if (s > bestScore) {
      best = d;
      bestScore = s;
    }
  }
  return best;
}

/**
 * Decides what an upload really is from its first bytes, whatever its name says, and refuses with a 400
 * what cannot be imported, telling the user what to do instead.
 * `head` is the start of the file; `complete` says whether it is the whole file.
 */
export function sniff(head: Buffer, complete: boolean): Sniffed {
  if (head.length === 0 || (complete && head.toString('latin1').trim() === '')) {
    reject(
      'The file is empty. Export your leads again and upload a file with a header row and at least one lead.',
    );
  }
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) {
    reject(
      'This is a PDF document, not a spreadsheet. Export the leads as CSV or XLSX from the tool they come from.',
    );
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    reject(
      'This is an old Excel workbook (.xls, Excel 97-2003). Open it in Excel or LibreOffice and save it as XLSX (Excel Workbook) or CSV, then upload that.',
    );
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const names = head.toString('latin1');
    if (names.includes('[Content_Types].xml') || names.includes('xl/'))
      return { format: 'xlsx', encoding: null, bomLength: 0, delimiter: null };
    reject(
      'This is a ZIP archive but not an Excel workbook. Unzip it and upload the CSV or XLSX file inside.',
    );
  }
  let encoding: Encoding;
  let bomLength = 0;
  if (startsWith(head, [0xef, 0xbb, 0xbf])) [encoding, bomLength] = ['utf-8', 3];
  else if (startsWith(head, [0xff, 0xfe])) [encoding, bomLength] = ['utf-16le', 2];
  else if (startsWith(head, [0xfe, 0xff])) [encoding, bomLength] = ['utf-16be', 2];
  else {
    // UTF-16 without a BOM: ASCII text has a zero byte in every other position.
    const sample = head.subarray(0, Math.min(head.length, 4096));
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < sample.length; i++) {
      if (sample[i] === 0 && i % 2 === 0) evenZeros++;
      else if (sample[i] === 0) oddZeros++;
    }
    const half = sample.length / 2;
    if (oddZeros > half * 0.4 && evenZeros < half * 0.05) encoding = 'utf-16le';
    else if (evenZeros > half * 0.4 && oddZeros < half * 0.05) encoding = 'utf-16be';
    else if (evenZeros + oddZeros > 0) {
      reject(
        'This looks like a binary file (an image, an archive or a program), not a spreadsheet. Upload a CSV, XLSX or JSON export of your leads.',
      );
    } else encoding = isUtf8(head, complete) ? 'utf-8' : 'windows-1252';
  }
  const text = iconv.decode(head.subarray(bomLength), encoding!);
  const trimmed = text.trimStart();
  if (trimmed === '')
    reject(
      'The file is empty. Export your leads again and upload a file with a header row and at least one lead.',
    );
  const lower = trimmed.slice(0, 512).toLowerCase();
  if (
    lower.startsWith('<!doctype html') ||
    lower.startsWith('<html') ||
    /^<(head|body|meta|title|div|table)[\s>]/.test(lower) ||
    (lower.startsWith('<?xml') && lower.includes('<html'))
  ) {
    reject(
      'This is a web page (HTML), not a spreadsheet: the download probably returned a login or error page. Export the leads again as CSV or XLSX and upload that file.',
    );
  }
  if (lower.startsWith('<?xml') || lower.startsWith('<')) {
    reject(
      'This is an XML document. Leadflow imports CSV, TSV, XLSX and JSON: export the leads in one of those formats.',
    );
  }
  if (trimmed.startsWith('[') || trimmed.startsWith('{'))
    return { format: 'json', encoding: encoding!, bomLength, delimiter: null };
  // Control characters other than tab/CR/LF mean a binary file decoded as text.
  const controls = (text.slice(0, 4096).match(/[\u0000-\u0008\u000e-\u001f]/g) ?? []).length;
  if (controls > 4) {
    reject(
      'This looks like a binary file, not a spreadsheet. Upload a CSV, XLSX or JSON export of your leads.',
    );
  }
  return { format: 'csv', encoding: encoding!, bomLength, delimiter: detectDelimiter(text.slice(0, 65536)) };
}
