import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createLead, signup, type Session, type TestApp } from './helpers.js';
import { linkIn, startSmtp, until, type TestSmtp } from './email.helpers.js';
import type { EmailFeature } from '../src/email/email.wiring.js';

const PUBLIC_URL = 'http://crm.example.test';
const FROM = 'Leadflow <crm@example.test>';

let smtp: TestSmtp;
let t: TestApp;
let owner: Session;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp(
    { SMTP_URL: smtp.url, MAIL_FROM: FROM, PUBLIC_URL },
    { email: { retry: { baseDelayMs: 50, maxDelayMs: 200 }, digest: false } },
  );
  owner = await signup(t.app, { organization_name: 'Acme Motors', name: 'Olivia Owner' });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const emailOf = () => (t.app as unknown as { email: EmailFeature }).email;
const inject = (method: string, url: string, s: Session | null, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: s?.headers ?? {}, payload: payload as object });
const countEmails = async () =>
  Number(
    (
      await t.db.kysely
        .selectFrom('emails')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Invites someone, reads the invitation email and joins through its link: a second member of the org. */
async function inviteAndJoin(email: string, name: string, role = 'agent'): Promise<Session> {
  const inv = await inject('POST', '/api/v1/invitations', owner, { email, role });
  expect(inv.statusCode).toBe(201);
  const msg = await smtp.waitFor((r) => r.to.includes(email) && r.mail.subject!.includes('invited you'));
  const token = linkIn(msg.mail.text, `${PUBLIC_URL}/invite/`).split('/').pop()!;
  const acc = await inject('POST', `/api/v1/invitations/${token}/accept`, null, {
    name,
    password: 'a long password',
  });
  expect(acc.statusCode).toBe(200);
  const json = acc.json();
  return {
    token: json.token,
    userId: json.user.id,
    orgId: owner.orgId,
    email,
    headers: { authorization: `Bearer ${json.token}` },
  };
}

describe('invitations by email', () => {
  it('sends the invitation through SMTP with a working link and its expiry; the list keeps it after a reload', async () => {
    const res = await inject('POST', '/api/v1/invitations', owner, {
      email: 'Nina@Example.test',
      role: 'manager',
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    const msg = await smtp.waitFor((r) => r.to.includes('nina@example.test'));
    expect(msg.from).toBe('crm@example.test');
    expect(msg.mail.from?.value[0]).toMatchObject({ name: 'Leadflow', address: 'crm@example.test' });
    expect(msg.mail.subject).toBe('Olivia Owner invited you to Acme Motors on Leadflow');
    expect(msg.mail.headers.get('x-leadflow-template')).toBe('invitation');
    expect(msg.mail.text).toContain('as manager');
    expect(msg.mail.text).toMatch(/expires on .*20\d\d/);
    const link = linkIn(msg.mail.text, `${PUBLIC_URL}/invite/`);
    expect(msg.mail.html).toContain(`href="${link}"`);
    expect(link.endsWith(`/invite/${created.token}`)).toBe(true);

    // A reload: the pending invitation is listed with its delivery state. The test SMTP server has the message
    // before the sender has its answer and records it as sent: wait until the state is no longer 'queued'.
    const mine = await until(async () => {
      const list = (await inject('GET', '/api/v1/invitations', owner)).json().data;
      const i = list.find((x: { id: number }) => x.id === created.id);
      return i?.delivery?.status !== 'queued' && i;
    });
    expect(mine).toMatchObject({
      state: 'pending',
      email: 'nina@example.test',
      delivery: { status: 'sent', attempts: 1 },
    });
    // The sent link is a credential: the outbox keeps no copy of it.
    const row = await t.db.kysely
      .selectFrom('emails')
      .selectAll()
      .where('id', '=', mine.delivery.email_id)
      .executeTakeFirstOrThrow();
    expect(row.text_body).toBeNull();
    expect(row.html_body).toBeNull();

    const token = link.split('/').pop()!;
    const acc = await inject('POST', `/api/v1/invitations/${token}/accept`, null, {
      name: 'Nina',
      password: 'a long password',
    });
    expect(acc.statusCode).toBe(200);
    expect(acc.json().role).toBe('manager');
  });

  it('resend mails a new link (the old one stops working); revoke ends it', async () => {
    const inv = (
      await inject('POST', '/api/v1/invitations', owner, { email: 'resend@example.test', role: 'agent' })
    ).json();
    await smtp.waitFor((r) => r.to.includes('resend@example.test'));
    const resent = await inject('POST', `/api/v1/invitations/${inv.id}/resend`, owner);
    expect(resent.statusCode).toBe(200);
    const second = await smtp.waitFor(
      (r) => r.to.includes('resend@example.test') && r.raw.includes(resent.json().token),
    );
    const newToken = linkIn(second.mail.text, `${PUBLIC_URL}/invite/`).split('/').pop()!;
    expect(newToken).not.toBe(inv.token);
    const old = await inject('POST', `/api/v1/invitations/${inv.token}/accept`, null, {
      name: 'R',
      password: 'a long password',
    });
    expect(old.statusCode).toBe(404);

    expect((await inject('DELETE', `/api/v1/invitations/${inv.id}`, owner)).statusCode).toBe(204);
    const again = await inject('POST', `/api/v1/invitations/${inv.id}/resend`, owner);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const gone = await inject('POST', `/api/v1/invitations/${newToken}/accept`, null, {
      name: 'R',
      password: 'a long password',
    });
    expect(gone.statusCode).toBe(404);
    expect((await inject('POST', '/api/v1/invitations/999999/resend', owner)).statusCode).toBe(404);
  });

  it('an SMTP server that refuses: the invitation exists, shows "not delivered yet", and goes out once it recovers', async () => {
    smtp.state.refuse = true;
    const before = smtp.received.length;
    const inv = (
      await inject('POST', '/api/v1/invitations', owner, { email: 'retry@example.test', role: 'viewer' })
    ).json();
    const pending = await until(async () => {
      const list = (await inject('GET', '/api/v1/invitations', owner)).json().data;
      const i = list.find((x: { id: number }) => x.id === inv.id);
      return i.delivery.attempts >= 2 && i;
    });
    expect(pending.state).toBe('pending');
    expect(pending.delivery.status).toBe('queued');
    expect(pending.delivery.last_error).toContain('try again later');
    expect(smtp.received.length).toBe(before);
    smtp.state.refuse = false;
    const msg = await smtp.waitFor((r) => r.to.includes('retry@example.test'));
    expect(msg.mail.subject).toContain('Acme Motors');
    const sent = await until(async () => {
      const list = (await inject('GET', '/api/v1/invitations', owner)).json().data;
      const i = list.find((x: { id: number }) => x.id === inv.id);
      return i.delivery.status === 'sent' && i;
    });
    expect(sent.delivery.attempts).toBeGreaterThanOrEqual(3);
    expect(sent.delivery.last_error).toBeNull();
    // Exactly one copy arrived despite the retries.
    expect(smtp.received.filter((r) => r.to.includes('retry@example.test'))).toHaveLength(1);
  });

  it('a refused invitation writes no email', async () => {
    const n = await countEmails();
    const res = await inject('POST', '/api/v1/invitations', owner, {
      email: 'x@example.test',
      role: 'agent',
      team_ids: [999],
    });
    expect(res.statusCode).toBe(422);
    expect(await countEmails()).toBe(n);
  });
});

describe('password reset', () => {
  it('answers the same for unknown and known emails, mails a single-use link that signs out every other session', async () => {
    const user = await signup(t.app, { email: 'reset.me@example.test', password: 'old password 1' });
    const unknown = await inject('POST', '/api/v1/auth/password-reset', null, {
      email: 'nobody@example.test',
    });
    const known = await inject('POST', '/api/v1/auth/password-reset', null, {
      email: ' Reset.Me@example.test ',
    });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    const msg = await smtp.waitFor((r) => r.to.includes('reset.me@example.test'));
    expect(smtp.received.some((r) => r.to.includes('nobody@example.test'))).toBe(false);
    expect(msg.mail.subject).toBe('Reset your Leadflow password');
    expect(msg.mail.text).toContain('1 hour');
    const link = linkIn(msg.mail.text, `${PUBLIC_URL}/reset-password/`);
    expect(msg.mail.html).toContain(`href="${link}"`);
    const token = link.split('/').pop()!;

    expect((await inject('GET', '/api/v1/me', user)).statusCode).toBe(200);
    const short = await inject('POST', '/api/v1/auth/password-reset/confirm', null, {
      token,
      password: 'short',
    });
    expect(short.statusCode).toBe(400);
    const ok = await inject('POST', '/api/v1/auth/password-reset/confirm', null, {
      token,
      password: 'new password 2',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.email).toBe('reset.me@example.test');
    // Every earlier session is gone; the new one works.
    expect((await inject('GET', '/api/v1/me', user)).statusCode).toBe(401);
    const fresh = { ...user, headers: { authorization: `Bearer ${ok.json().token}` } };
    expect((await inject('GET', '/api/v1/me', fresh)).statusCode).toBe(200);
    const oldPw = await inject('POST', '/api/v1/auth/login', null, {
      email: user.email,
      password: 'old password 1',
    });
    expect(oldPw.statusCode).toBe(401);
    const newPw = await inject('POST', '/api/v1/auth/login', null, {
      email: user.email,
      password: 'new password 2',
    });
    expect(newPw.statusCode).toBe(200);

    const reuse = await inject('POST', '/api/v1/auth/password-reset/confirm', null, {
      token,
      password: 'third password 3',
    });
    expect(reuse.statusCode).toBe(422);
    expect(reuse.json().errors[0]).toMatchObject({ field: 'token' });
    expect(reuse.json().detail).toContain('already used');
  });

  it('sends at most 5 reset emails an hour for one account, answering the same every time', async () => {
    const user = await signup(t.app, { email: 'spammed@example.test' });
    const bodies = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const r = await inject('POST', '/api/v1/auth/password-reset', null, { email: user.email });
      expect(r.statusCode).toBe(202);
      bodies.add(r.body);
    }
    expect(bodies.size).toBe(1);
    const queued = await t.db.kysely
      .selectFrom('emails')
      .select('id')
      .where('to_address', '=', user.email)
      .where('template', '=', 'password_reset')
      .execute();
    expect(queued).toHaveLength(5);
  });

  it('an expired or unknown token is a clear 422 and changes nothing', async () => {
    const user = await signup(t.app, { email: 'expired@example.test', password: 'old password 1' });
    await inject('POST', '/api/v1/auth/password-reset', null, { email: user.email });
    const msg = await smtp.waitFor((r) => r.to.includes('expired@example.test'));
    const token = linkIn(msg.mail.text, `${PUBLIC_URL}/reset-password/`).split('/').pop()!;
    await t.db.kysely
      .updateTable('password_resets')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', user.userId)
      .execute();
    const res = await inject('POST', '/api/v1/auth/password-reset/confirm', null, {
      token,
      password: 'new password 2',
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toContain('expired');
    expect((await inject('GET', '/api/v1/me', user)).statusCode).toBe(200);
    const login = await inject('POST', '/api/v1/auth/login', null, {
      email: user.email,
      password: 'old password 1',
    });
    expect(login.statusCode).toBe(200);
    const bogus = await inject('POST', '/api/v1/auth/password-reset/confirm', null, {
      token: 'lfr_not_a_real_token',
      password: 'new password 2',
    });
    expect(bogus.statusCode).toBe(422);
  });
});

describe('notifications', () => {
  let agent: Session;
  beforeAll(async () => {
    agent = await inviteAndJoin('agent.anna@example.test', 'Anna Agent');
  });

  it('tells a member a lead was assigned to them, in the organization language, unless they turned it off', async () => {
    const lead = await createLead(t.app, owner, { first_name: 'Grace', last_name: 'Hopper' });
    const res = await inject('PATCH', `/api/v1/leads/${lead.id}`, owner, { owner_id: agent.userId });
    expect(res.statusCode).toBe(200);
    const msg = await smtp.waitFor(
      (r) => r.to.includes(agent.email) && r.mail.subject!.includes('Grace Hopper'),
    );
    expect(msg.mail.subject).toBe('Lead assigned to you: Grace Hopper');
    expect(msg.mail.text).toContain('Olivia Owner assigned the lead Grace Hopper to you.');
    expect(linkIn(msg.mail.text, `${PUBLIC_URL}/leads/`)).toBe(`${PUBLIC_URL}/leads/${lead.id}`);
    expect(msg.mail.text).toContain(`${PUBLIC_URL}/settings/notifications`);

    // French once the organization chooses it.
    const set = await inject('PATCH', '/api/v1/email/settings', owner, { language: 'fr' });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ language: 'fr', delivery: 'smtp' });
    const lead2 = await createLead(t.app, owner, {
      first_name: 'Marie',
      last_name: 'Curie',
      owner_id: agent.userId,
    });
    const fr = await smtp.waitFor(
      (r) => r.to.includes(agent.email) && r.mail.subject!.includes('Marie Curie'),
    );
    expect(fr.mail.subject).toBe('Lead qui vous est attribué : Marie Curie');
    expect(fr.mail.html).toContain('lang="fr"');
    expect(fr.mail.text).toContain(`/leads/${lead2.id}`);
    await inject('PATCH', '/api/v1/email/settings', owner, { language: null });

    // Turned off: no email.
    const prefs = await inject('PATCH', '/api/v1/me/notifications', agent, { lead_assigned: false });
    expect(prefs.json()).toEqual({
      lead_assigned: false,
      daily_digest: true,
      web_lead: true,
      import_finished: true,
    });
    expect((await inject('GET', '/api/v1/me/notifications', agent)).json().lead_assigned).toBe(false);
    const n = await countEmails();
    const lead3 = await createLead(t.app, owner);
    expect(
      (await inject('PATCH', `/api/v1/leads/${lead3.id}`, owner, { owner_id: agent.userId })).statusCode,
    ).toBe(200);
    expect(await countEmails()).toBe(n);
    await inject('PATCH', '/api/v1/me/notifications', agent, { lead_assigned: true });
  });

  it('assigning a lead to yourself sends nothing; a refused update queues nothing', async () => {
    const n = await countEmails();
    await createLead(t.app, owner, { owner_id: owner.userId });
    const lead = await createLead(t.app, owner);
    const bad = await inject('PATCH', `/api/v1/leads/${lead.id}`, owner, {
      owner_id: agent.userId,
      rating: 'x',
    });
    expect(bad.statusCode).toBe(400);
    const badOwner = await inject('PATCH', `/api/v1/leads/${lead.id}`, owner, { owner_id: 987654 });
    expect(badOwner.statusCode).toBe(422);
    expect(await countEmails()).toBe(n);
  });

  it('bad preferences and settings are 400s naming the field', async () => {
    const p = await inject('PATCH', '/api/v1/me/notifications', agent, { lead_assigned: 'yes' });
    expect(p.statusCode).toBe(400);
    expect(p.json().errors[0].field).toContain('lead_assigned');
    const s = await inject('PATCH', '/api/v1/email/settings', owner, { language: 'xx' });
    expect(s.statusCode).toBe(400);
    expect((await inject('PATCH', '/api/v1/email/settings', agent, { language: 'de' })).statusCode).toBe(403);
  });

  it("emails the web-to-lead key's creator on a submission, or the chosen address", async () => {
    const key = (await inject('POST', '/api/v1/web-to-lead-keys', owner, { name: 'Contact form' })).json();
    const post = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      payload: { first_name: 'Alan', last_name: 'Turing', email: 'alan@example.test' },
    });
    expect(post.statusCode).toBeLessThan(400);
    const msg = await smtp.waitFor(
      (r) => r.to.includes(owner.email) && r.mail.subject!.includes('Alan Turing'),
    );
    expect(msg.mail.subject).toBe('New web lead: Alan Turing');
    expect(msg.mail.text).toContain('"Contact form"');
    expect(msg.mail.text).toMatch(new RegExp(`${PUBLIC_URL}/leads/\\d+`));

    await inject('PATCH', '/api/v1/email/settings', owner, { web_lead_recipient: 'sales@example.test' });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      payload: { first_name: 'Ada', last_name: 'Byron', email: 'ada.b@example.test' },
    });
    await smtp.waitFor((r) => r.to.includes('sales@example.test') && r.mail.subject!.includes('Ada Byron'));
    await inject('PATCH', '/api/v1/email/settings', owner, { web_lead_recipient: null });
  });

  it('one daily digest per member at 8:00 in the organization time zone, with what is due that local day', async () => {
    await t.db.kysely
      .updateTable('organizations')
      .set({ time_zone: 'Europe/Paris' })
      .where('id', '=', owner.orgId)
      .execute();
    // 2030-03-12 in Paris is UTC+1: 8:00 local is 07:00Z; the local day is [11T23:00Z, 12T23:00Z).
    const lead = await createLead(t.app, owner, {
      first_name: 'Due',
      last_name: 'Today',
      owner_id: agent.userId,
    });
    const f = await inject('POST', `/api/v1/leads/${lead.id}/follow-ups`, agent, {
      scheduled_at: '2030-03-12T09:30:00Z',
    });
    expect(f.statusCode).toBe(201);
    const tk = await inject('POST', `/api/v1/leads/${lead.id}/tasks`, owner, {
      type: 'call',
      title: 'Call about the offer',
      due_at: '2030-03-11T23:30:00Z',
      assignee_id: agent.userId,
    });
    expect(tk.statusCode).toBe(201);
    await inject('POST', `/api/v1/leads/${lead.id}/tasks`, owner, {
      type: 'call',
      title: 'Tomorrow in Paris',
      due_at: '2030-03-12T23:30:00Z',
      assignee_id: agent.userId,
    });
    const digest = emailOf().digest;
    expect(await digest.runDue(new Date('2030-03-12T06:59:00Z'))).toBe(0);
    expect(await digest.runDue(new Date('2030-03-12T07:01:00Z'))).toBeGreaterThanOrEqual(1);
    expect(await digest.runDue(new Date('2030-03-12T15:00:00Z'))).toBe(0);
    const msg = await smtp.waitFor(
      (r) => r.to.includes(agent.email) && r.mail.subject!.includes('2030-03-12'),
    );
    expect(msg.mail.subject).toBe('Due today (2030-03-12): 2 follow-ups and tasks');
    expect(msg.mail.text).toContain('12:30 AM · Task · Call about the offer');
    expect(msg.mail.text).toContain('Call about the offer');
    expect(msg.mail.text).toContain('10:30 AM · Follow-up');
    expect(msg.mail.text).not.toContain('Tomorrow in Paris');
    expect(msg.mail.text).toContain(`${PUBLIC_URL}/leads/${lead.id}`);
    expect(
      smtp.received.filter((r) => r.mail.subject!.includes('(2030-03-12)') && r.to.includes(agent.email)),
    ).toHaveLength(1);

    await inject('PATCH', '/api/v1/me/notifications', agent, { daily_digest: false });
    await inject('POST', `/api/v1/leads/${lead.id}/follow-ups`, agent, {
      scheduled_at: '2030-03-13T09:30:00Z',
    });
    const n = await countEmails();
    await digest.runDue(new Date('2030-03-13T07:30:00Z'));
    expect(await countEmails()).toBe(n);
  });

  it('the outbox lists what was sent, for admins only', async () => {
    const res = await inject('GET', '/api/v1/emails?status=sent&limit=5', owner);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.length).toBeGreaterThan(0);
    expect(res.json().data[0]).not.toHaveProperty('text_body');
    expect((await inject('GET', '/api/v1/emails', agent)).statusCode).toBe(403);
  });
});
