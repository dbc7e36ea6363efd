import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Session } from './helpers.js';

export const DATA = '/work/shared/data';

/** A multipart/form-data body with one file field, as a browser sends it. */
export function multipart(filename: string, content: Buffer | string, field = 'file') {
  const boundary = `----leadflow${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, Buffer.isBuffer(content) ? content : Buffer.from(content), tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export async function upload(app: FastifyInstance, s: Session, filename: string, content: Buffer | string) {
  const m = multipart(filename, content);
  return app.inject({
    method: 'POST',
    url: '/api/v1/imports',
    headers: { ...s.headers, ...m.headers },
    payload: m.payload,
  });
}

/** Polls the import until the background job has finished with it. */
export async function waitForImport(app: FastifyInstance, s: Session, id: number, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: s.headers });
    const body = res.json();
    if (['completed', 'failed', 'reverted'].includes(body.status)) return body;
    if (Date.now() > until) throw new Error(`import ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Uploads, runs with `run` options and waits: the whole user flow. */
export async function importFile(
  app: FastifyInstance,
  s: Session,
  filename: string,
  content: Buffer | string,
  run: Record<string, unknown> = {},
) {
  const up = await upload(app, s, filename, content);
  if (up.statusCode !== 201) throw new Error(`upload failed: ${up.statusCode} ${up.body}`);
  const started = await app.inject({
    method: 'POST',
    url: `/api/v1/imports/${up.json().id}/run`,
    headers: s.headers,
    payload: run,
  });
  if (started.statusCode !== 202) throw new Error(`run failed: ${started.statusCode} ${started.body}`);
  return waitForImport(app, s, up.json().id);
}

/** Every live lead of the session's organization (through the list API). */
export async function allLeads(app: FastifyInstance, s: Session): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/v1/leads?limit=200&sort=created_at${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ method: 'GET', url, headers: s.headers });
    if (res.statusCode !== 200) throw new Error(`list failed: ${res.statusCode} ${res.body}`);
    const body: { data: Array<Record<string, any>>; next_cursor: string | null } = res.json();
    out.push(...body.data);
    cursor = body.next_cursor;
  } while (cursor);
  return out;
}

/** A CSV parser for assertions (RFC 4180). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') q = false;
      else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
