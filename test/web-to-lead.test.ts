import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember, auditActions } from './access.helpers.js';

let t: TestApp;
let owner: Session;
beforeAll(async () => {
  t = await createTestApp();
  owner = await signup(t.app);
});
afterAll(async () => t.close());

async function newKey(body: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/web-to-lead-keys',
    headers: owner.headers,
    payload: { name: 'Contact form', ...body },
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

async function leadsWith(q: string) {
  return (
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/leads?q=${encodeURIComponent(q)}`,
      headers: owner.headers,
    })
  ).json().data;
}

describe('web-to-lead', () => {
  it('creates a lead from a JSON post with the key defaults, and answers CORS for an allowed origin', async () => {
    const agent = await addMember(t.app, owner, 'agent');
    const team = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/teams',
        headers: owner.headers,
        payload: { name: 'Inbound' },
      })
    ).json();
    const key = await newKey({
      allowed_origins: ['https://www.Example.com/'],
      default_source: 'website',
      default_status: 'assigned',
      default_owner_id: agent.userId,
      default_team_id: team.id,
      default_tags: ['inbound'],
    });
    expect(key.key).toMatch(/^lfw_/);
    expect(key.allowed_origins).toEqual(['https://www.example.com']);

    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { origin: 'https://www.example.com', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://www.example.com');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { origin: 'https://www.example.com' },
      payload: {
        first_name: 'Wendy',
        last_name: 'Webform',
        email: 'wendy@example.org',
        message: 'Call me',
        budget: '5k',
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ status: 'received' });
    expect(res.headers['access-control-allow-origin']).toBe('https://www.example.com');
    const [lead] = await leadsWith('Webform');
    expect(lead).toMatchObject({
      first_name: 'Wendy',
      email: 'wendy@example.org',
      source: 'website',
      status: 'assigned',
      owner_id: agent.userId,
      team_id: team.id,
      tags: ['inbound'],
      description: 'Call me',
      custom_fields: { budget: '5k' },
    });
    // The default owner leaves and the team is deleted: the form keeps working, without them.
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${agent.userId}`,
      headers: owner.headers,
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/teams/${team.id}`, headers: owner.headers }))
        .statusCode,
    ).toBe(204);
    const later = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { origin: 'https://www.example.com' },
      payload: { last_name: 'Stale' },
    });
    expect(later.statusCode).toBe(201);
    expect((await leadsWith('Stale'))[0]).toMatchObject({
      owner_id: null,
      team_id: null,
      status: 'assigned',
      source: 'website',
    });
    const listed = (
      await t.app.inject({ method: 'GET', url: '/api/v1/web-to-lead-keys', headers: owner.headers })
    ).json().data;
    expect(listed.find((k: { id: number }) => k.id === key.id).last_used_at).not.toBeNull();
  });

  it('accepts a plain HTML form post (urlencoded, key in a header) and redirects to the success URL', async () => {
    const key = await newKey({ success_url: 'https://example.com/thanks' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/web-to-lead',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-web-to-lead-key': key.key },
      payload: 'first_name=Fran%C3%A7oise&last_name=Formpost&email=fr%40example.fr&_hp_url=',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('https://example.com/thanks');
    const [lead] = await leadsWith('Formpost');
    expect(lead).toMatchObject({ first_name: 'Françoise', source: 'web form' });
  });

  it('sends a form post without a success URL to the hosted thank-you page; fetch callers keep JSON', async () => {
    const key = await newKey({});
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'last_name=Thankful&email=t%40example.fr',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/api/v1/web-to-lead/thanks?key=${key.key}`);
    expect(await leadsWith('Thankful')).toHaveLength(1);
    const page = await t.app.inject({
      method: 'GET',
      url: res.headers.location as string,
      headers: { referer: 'https://www.example.com/contact' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<h1>Thank you</h1>');
    expect(page.body).toContain('href="https://www.example.com/contact"');
    expect(page.body).not.toContain('"status"');
    const json = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      payload: { last_name: 'Fetcher' },
    });
    expect(json.statusCode).toBe(201);
    expect(json.json()).toEqual({ status: 'received' });
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/web-to-lead/thanks?key=lfw_nope' });
    expect(unknown.statusCode).toBe(401);
  });

  it('refuses a disallowed origin (403), a bad key (401) and a bad email (422); nothing is created', async () => {
    const key = await newKey({ allowed_origins: ['https://good.example'] });
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { origin: 'https://evil.example' },
      payload: { last_name: 'EvilOrigin' },
    });
    expect(bad.statusCode).toBe(403);
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { origin: 'https://evil.example' },
    });
    expect(pre.statusCode).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/web-to-lead?key=lfw_nope',
          payload: { last_name: 'EvilOrigin' },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/web-to-lead',
          payload: { last_name: 'EvilOrigin' },
        })
      ).statusCode,
    ).toBe(401);
    const email = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      payload: { last_name: 'EvilOrigin', email: 'not-an-email' },
    });
    expect(email.statusCode).toBe(422);
    expect(email.json().errors[0].field).toBe('email');
    expect(await leadsWith('EvilOrigin')).toHaveLength(0);
    const denied = await auditActions(t.app, owner, 'web_to_lead.origin_denied');
    expect(denied[0]).toMatchObject({
      target_id: String(key.id),
      details: { origin: 'https://evil.example' },
    });
    // A revoked key stops at once.
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/web-to-lead-keys/${key.id}`,
          headers: owner.headers,
        })
      ).statusCode,
    ).toBe(204);
    const revoked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      headers: { origin: 'https://good.example' },
      payload: { last_name: 'AfterRevoke' },
    });
    expect(revoked.statusCode).toBe(401);
  });

  it('a filled honeypot looks accepted to the bot but creates nothing (audited)', async () => {
    const key = await newKey();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      payload: { last_name: 'Spambot', _hp_url: 'http://spam.example' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ status: 'received' });
    expect(await leadsWith('Spambot')).toHaveLength(0);
    expect((await auditActions(t.app, owner, 'web_to_lead.spam_blocked')).length).toBeGreaterThanOrEqual(1);
  });

  it('limits submissions per key (429 with Retry-After and RateLimit headers)', async () => {
    const key = await newKey({ rate_limit_per_minute: 3 });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await t.app.inject({
        method: 'POST',
        url: `/api/v1/web-to-lead?key=${key.key}`,
        payload: { last_name: `Limited${i}` },
      });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.headers['ratelimit-limit']).toBe('3');
    expect(last!.headers['ratelimit-remaining']).toBe('0');
    expect(await leadsWith('Limited3')).toHaveLength(0);
  });

  it('serves an HTML snippet with the form, the key and the hidden honeypot', async () => {
    const key = await newKey({ name: 'Landing <page>' });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/web-to-lead/form.html?key=${key.key}`,
      headers: { host: 'crm.example.com' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain(`action="http://crm.example.com/api/v1/web-to-lead?key=${key.key}"`);
    expect(res.body).toContain('name="_hp_url"');
    expect(res.body).toContain('Landing &lt;page&gt;');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/web-to-lead/form.html?key=lfw_unknown' }))
        .statusCode,
    ).toBe(401);
  });

  it('managing keys needs settings rights; bad settings are 422 naming the field', async () => {
    const agent = await addMember(t.app, owner, 'agent');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/web-to-lead-keys',
          headers: agent.headers,
          payload: { name: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    for (const [field, body] of [
      ['allowed_origins.0', { allowed_origins: ['not a url'] }],
      ['default_status', { default_status: 'no-such-status' }],
      ['default_owner_id', { default_owner_id: 999999 }],
      ['success_url', { success_url: 'javascript:alert(1)' }],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/web-to-lead-keys',
        headers: owner.headers,
        payload: { name: 'x', ...body },
      });
      expect(res.statusCode, field).toBe(422);
      expect(res.json().errors[0].field).toBe(field);
    }
    const key = await newKey();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/web-to-lead-keys/${key.id}`,
      headers: owner.headers,
      payload: { rate_limit_per_minute: 100, default_source: 'landing' },
    });
    expect(patched.json()).toMatchObject({ rate_limit_per_minute: 100, default_source: 'landing' });
  });
});
