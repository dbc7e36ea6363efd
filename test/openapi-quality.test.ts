/** The OpenAPI document is usable by client generators (docs/api.md, "OpenAPI document"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers.js';

type Obj = Record<string, any>;
describe('OpenAPI document quality', () => {
  let t: TestApp;
  let doc: Obj;
  const ops: Array<{ method: string; path: string; op: Obj }> = [];
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, item] of Object.entries<Obj>(doc.paths))
      for (const [method, op] of Object.entries<Obj>(item)) ops.push({ method, path, op });
  });
  afterAll(async () => t.close());

  it('every operation has a unique verbNoun operationId, a declared tag, a summary and a description', () => {
    expect(ops.length).toBeGreaterThan(100);
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Set((doc.tags as Obj[]).map((x) => x.name));
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z]+[A-Z][A-Za-z0-9]*$/);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      for (const tag of op.tags) expect(declared.has(tag), `${where} tag ${tag}`).toBe(true);
      expect(op.summary, where).toBeTruthy();
      expect(op.description, where).toBeTruthy();
    }
    const byRoute = Object.fromEntries(ops.map((o) => [`${o.method} ${o.path}`, o.op.operationId]));
    expect(byRoute['get /api/v1/leads']).toBe('listLeads');
    expect(byRoute['get /api/v1/leads/{id}']).toBe('getLead');
    expect(byRoute['post /api/v1/leads']).toBe('createLead');
    expect(byRoute['patch /api/v1/leads/{id}/tasks/{itemId}']).toBe('updateLeadTask');
  });

  it('errors are declared as application/problem+json on /api/v1, with the statuses any route can send', () => {
    for (const { method, path, op } of ops.filter((o) => o.path.startsWith('/api/v1'))) {
      for (const status of ['400', '404', '429', '500', '503']) {
        const res = op.responses[status];
        expect(res, `${method} ${path} ${status}`).toBeDefined();
        expect(Object.keys(res.content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
      }
      for (const [status, res] of Object.entries<Obj>(op.responses))
        if (Number(status) >= 400)
          expect(res.content['application/json'], `${path} ${status}`).toBeUndefined();
    }
  });

  it('the two uploads declare their multipart bodies; downloads declare their file types', () => {
    for (const path of ['/api/v1/imports', '/api/v1/leads/{id}/attachments']) {
      const body = doc.paths[path].post.requestBody;
      expect(body.content['multipart/form-data'].schema.properties.file).toMatchObject({ format: 'binary' });
    }
    expect(Object.keys(doc.paths['/api/v1/leads/export'].get.responses['200'].content)).toContain('text/csv');
  });

  it('the document is OpenAPI 3.0: no type arrays (nullable instead)', () => {
    expect(JSON.stringify(doc)).not.toMatch(/"type":\[/);
  });
});
