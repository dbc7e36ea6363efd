import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

const LIMIT = 64 * 1024;
let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp({ ATTACHMENT_MAX_BYTES: String(LIMIT) });
  s = await signup(t.app);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(t.config.dataDir, { recursive: true, force: true });
});

function multipart(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>) {
  const boundary = `----leadflow${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { ...s.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const filesOnDisk = () => {
  const dir = path.join(t.config.dataDir, 'attachments');
  return fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, String(f))).isFile())
        .length
    : 0;
};

describe('attachments', () => {
  it('uploads a file, lists it, downloads it with its content type, and deletes it with its file', async () => {
    const lead = await createLead(t.app, s);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3000, 7)]);
    const up = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'file', filename: 'Quote #12 é.pdf', type: 'application/pdf', data: pdf }]),
    });
    expect(up.statusCode).toBe(201);
    const a = up.json();
    expect(a).toMatchObject({
      lead_id: lead.id,
      filename: 'Quote #12 é.pdf',
      content_type: 'application/pdf',
      size_bytes: pdf.length,
      uploaded_by: s.userId,
    });
    expect(up.headers.location).toBe(a.url);
    expect(filesOnDisk()).toBe(1);

    const list = (
      await t.app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}/attachments`, headers: s.headers })
    ).json().data;
    expect(list.map((x: { id: number }) => x.id)).toEqual([a.id]);

    const down = await t.app.inject({ method: 'GET', url: a.url, headers: s.headers });
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-type']).toBe('application/pdf');
    expect(down.headers['content-disposition']).toContain("filename*=UTF-8''Quote%20%2312%20%C3%A9.pdf");
    expect(down.rawPayload.equals(pdf)).toBe(true);

    // A generic type from the client: the extension decides.
    const png = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([
        {
          name: 'file',
          filename: 'car.png',
          type: 'application/octet-stream',
          data: Buffer.from([137, 80, 78, 71]),
        },
      ]),
    });
    expect(png.json().content_type).toBe('image/png');
    const pngDown = await t.app.inject({ method: 'GET', url: png.json().url, headers: s.headers });
    expect(pngDown.headers['content-type']).toBe('image/png');

    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/leads/${lead.id}/attachments/${a.id}`,
          headers: s.headers,
        })
      ).statusCode,
    ).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: a.url, headers: s.headers })).statusCode).toBe(404);
    expect(filesOnDisk()).toBe(1);
  });

  it('refuses an upload over the limit (413), with no file, or not multipart, leaving nothing behind', async () => {
    const lead = await createLead(t.app, s);
    const before = filesOnDisk();
    const big = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'file', filename: 'big.bin', data: Buffer.alloc(LIMIT + 1, 1) }]),
    });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    expect(big.json().errors[0].field).toBe('file');
    const exact = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'file', filename: 'exact.bin', data: Buffer.alloc(LIMIT, 1) }]),
    });
    expect(exact.statusCode).toBe(201);

    const noFile = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'comment', data: 'just text' }]),
    });
    expect(noFile.statusCode).toBe(422);
    expect(noFile.json().errors[0].field).toBe('file');
    const json = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      headers: s.headers,
      payload: { file: 'x' },
    });
    expect(json.statusCode).toBe(415);
    const empty = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'file', filename: 'empty.txt', data: '' }]),
    });
    expect(empty.statusCode).toBe(422);

    const list = (
      await t.app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}/attachments`, headers: s.headers })
    ).json().data;
    expect(list.map((x: { filename: string }) => x.filename)).toEqual(['exact.bin']);
    expect(filesOnDisk()).toBe(before + 1);
  });

  it("answers 404 for another organization's lead or attachment", async () => {
    const lead = await createLead(t.app, s);
    const up = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'file', filename: 'a.txt', data: 'hello' }]),
    });
    expect(up.json().content_type).toBe('text/plain');
    const unknown = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      ...multipart([{ name: 'file', filename: 'blob.bin', data: 'xyz' }]),
    });
    expect(unknown.json().content_type).toBe('application/octet-stream');
    const other = await signup(t.app);
    expect(
      (await t.app.inject({ method: 'GET', url: up.json().url, headers: other.headers })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/leads/${lead.id}/attachments/${up.json().id}`,
          headers: other.headers,
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: up.json().url, headers: s.headers })).body).toBe(
      'hello',
    );
  });
});
