import { randomBytes } from 'node:crypto';
import { executionAsyncId } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, createLead, signup, type Session, type TestApp } from './helpers.js';
import { createQueryCounter } from './query-counter.js';
import { inTransaction, OutsideTransactionError } from '../src/db/unit-of-work.js';
import type { AuthContext } from '../src/access/roles.js';
import { createLeadRepository } from '../src/leads/lead.repository.js';
import { createStatusRepository } from '../src/pipeline/status.repository.js';
import { createAccessRepository } from '../src/access/access.repository.js';
import { createLeadService } from '../src/leads/lead.service.js';
import { createAuditRepository } from '../src/access/audit.repository.js';
import { createAuditService } from '../src/access/audit.service.js';
import { createReasonRepository } from '../src/pipeline/reason.repository.js';
import { createHistoryRepository } from '../src/pipeline/history.repository.js';
import { createStatusRules } from '../src/pipeline/status-rules.js';
import { createStatusChangeService } from '../src/pipeline/status-change.service.js';
import { createTeamService } from '../src/access/team.service.js';
import { createTeamRepository } from '../src/access/team.repository.js';
import { generate } from 'otplib';
import { countAllTables, changedTables } from './table-counts.js';
import { createKeyRepository } from '../src/access/key.repository.js';
import { createKeyService } from '../src/access/key.service.js';
import { createUserService } from '../src/access/user.service.js';
import { createAuthService } from '../src/access/auth.service.js';
import { createPasswordService } from '../src/access/password.service.js';
import { createTwoFactorService } from '../src/access/auth-two-factor.service.js';
import { createSecretBox } from '../src/lib/secret-box.js';
import { createWebToLeadService } from '../src/access/web-to-lead.service.js';

let t: TestApp;
let s: Session;
const counter = createQueryCounter();

beforeAll(async () => {
  t = await createTestApp({}, { wrapDialect: counter.wrapDialect });
  s = await signup(t.app);
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: s.headers, payload: payload as object });

async function countRows(table: 'leads' | 'status_history' | 'lead_tags' | 'tasks' | 'audit_log') {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.db.kysely);
  return Number(r.rows[0].n);
}

function ownerAuth(): AuthContext {
  return { kind: 'user', orgId: s.orgId, userId: s.userId, role: 'owner' };
}

describe('no query outside the open transaction', () => {
  it('PATCH of a task assignee answers, and /health answers after it', async () => {
    const lead = await createLead(t.app, s);
    const task = await call('POST', `/leads/${lead.id}/tasks`, { title: 'Call back' });
    expect(task.statusCode).toBe(201);
    const res = await call('PATCH', `/leads/${lead.id}/tasks/${task.json().id}`, { assignee_id: s.userId });
    expect(res.statusCode).toBe(200);
    expect(res.json().assignee_id).toBe(s.userId);
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().database).toBe('ok');
  });

  it('PATCH of a follow-up done_by answers, and /health answers after it', async () => {
    const lead = await createLead(t.app, s);
    const fu = await call('POST', `/leads/${lead.id}/follow-ups`, {
      scheduled_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(fu.statusCode).toBe(201);
    const res = await call('PATCH', `/leads/${lead.id}/follow-ups/${fu.json().id}`, {
      done_at: new Date(Date.now() - 60_000).toISOString(),
      done_by: s.userId,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'done', done_by: s.userId });
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('an unknown assignee is still a 422 naming the field (the check runs in the transaction)', async () => {
    const lead = await createLead(t.app, s);
    const task = (await call('POST', `/leads/${lead.id}/tasks`, { title: 'x' })).json();
    const res = await call('PATCH', `/leads/${lead.id}/tasks/${task.id}`, { assignee_id: 999_999 });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe('assignee_id');
  });

  it('a query on the base connection inside inTransaction throws OutsideTransactionError', async () => {
    const db = t.db.kysely;
    await expect(
      inTransaction(db, {}, async () => {
        await sql`select 1`.execute(db);
      }),
    ).rejects.toBeInstanceOf(OutsideTransactionError);
    // The connection is free again afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0].one).toBe(1);
  });
});

describe('the async context of a unit of work', () => {
  /** True when promise continuations get their own async resource (async_hooks' promise hooks are on). */
  async function promiseHooksOn() {
    await null;
    const a = executionAsyncId();
    await null;
    return executionAsyncId() !== a;
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('is tracked only while a unit is open: no promise pays the hooks after the last one ended', async () => {
    await inTransaction(t.db.kysely, {}, async (tx) => {
      expect(await promiseHooksOn()).toBe(true);
      await sql`select 1`.execute(tx);
    });
    expect(await promiseHooksOn()).toBe(false);
  });

  it('a unit opened after the hooks were switched off still refuses the base connection', async () => {
    const db = t.db.kysely;
    await inTransaction(db, {}, async (tx) => void (await sql`select 1`.execute(tx)));
    expect(await promiseHooksOn()).toBe(false);
    await expect(
      inTransaction(db, {}, async () => {
        await sleep(5);
        await sql`select 1`.execute(db);
      }),
    ).rejects.toBeInstanceOf(OutsideTransactionError);
  });

  it('a unit that ends while another is open leaves the other one guarded', async () => {
    const db = t.db.kysely;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = inTransaction(db, {}, async (tx) => {
      await sql`select 1`.execute(tx);
      await gate;
      await sql`select 1`.execute(db);
    });
    // PostgreSQL runs b beside a and ends it first; SQLite's one connection makes b wait for a.
    const b = inTransaction(db, {}, async (tx) => void (await sql`select 1`.execute(tx)));
    await Promise.race([b, sleep(100)]);
    release();
    await expect(a).rejects.toBeInstanceOf(OutsideTransactionError);
    await b;
    expect(await promiseHooksOn()).toBe(false);
  });
});

describe('joining the caller transaction', () => {
  function leadService() {
    const db = t.db.kysely;
    return createLeadService({
      db,
      leads: createLeadRepository(db, t.db.dialect),
      statuses: createStatusRepository(db),
      access: createAccessRepository(db),
    });
  }

  it('a later failure rolls back the earlier write of a nested service call with { tx }', async () => {
    const leads = leadService();
    const before = {
      leads: await countRows('leads'),
      history: await countRows('status_history'),
      tags: await countRows('lead_tags'),
    };
    const failure = inTransaction(t.db.kysely, {}, async (tx) => {
      const created = await leads.create(ownerAuth(), { first_name: 'Nested', tags: ['vip'] }, { tx });
      // The write is visible inside the transaction...
      expect((await leads.get(ownerAuth(), created.id, { tx })).first_name).toBe('Nested');
      // ...and a later refusal undoes it.
      await leads.create(ownerAuth(), { first_name: 'Bad', status: 'no-such-status' }, { tx });
    });
    await expect(failure).rejects.toMatchObject({ code: 'unprocessable' });
    expect({
      leads: await countRows('leads'),
      history: await countRows('status_history'),
      tags: await countRows('lead_tags'),
    }).toEqual(before);
  });

  it('two nested writes with { tx } run as one transaction and both commit', async () => {
    const leads = leadService();
    const before = await countRows('leads');
    const { counts } = await counter.measure(() =>
      inTransaction(t.db.kysely, {}, async (tx) => {
        await leads.create(ownerAuth(), { first_name: 'One' }, { tx });
        await leads.create(ownerAuth(), { first_name: 'Two' }, { tx });
      }),
    );
    expect(counts.transactions).toBe(1);
    expect(await countRows('leads')).toBe(before + 2);
  });
});

describe('access services join the caller transaction', () => {
  it('team create, rename and members with { tx } roll back with the unit of work', async () => {
    const db = t.db.kysely;
    const teams = createTeamService({
      db,
      teams: createTeamRepository(db),
      access: createAccessRepository(db),
    });
    const count = async (table: 'teams' | 'team_members') =>
      Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0].n);
    const before = { teams: await count('teams'), members: await count('team_members') };
    const failure = inTransaction(db, {}, async (tx) => {
      const team = await teams.create(ownerAuth(), { name: 'Rolled back', member_ids: [s.userId] }, { tx });
      await teams.rename(ownerAuth(), team.id, { name: 'Renamed' }, undefined, { tx });
      await teams.removeMember(ownerAuth(), team.id, s.userId, { tx });
      await teams.addMember(ownerAuth(), team.id, s.userId, { tx });
      expect((await teams.get(ownerAuth(), team.id, { tx })).name).toBe('Renamed');
      throw new Error('later failure');
    });
    await expect(failure).rejects.toThrow('later failure');
    expect({ teams: await count('teams'), members: await count('team_members') }).toEqual(before);
  });
});

describe('access services: a caller transaction that rolls back leaves nothing', () => {
  function services() {
    const db = t.db.kysely;
    const access = createAccessRepository(db);
    const teams = createTeamRepository(db);
    const statuses = createStatusRepository(db);
    const keyRepo = createKeyRepository(db);
    const audit = createAuditService({ audit: createAuditRepository(db) });
    const secrets = createSecretBox(randomBytes(32));
    const leads = createLeadService({ db, leads: createLeadRepository(db, t.db.dialect), statuses, access });
    return {
      db,
      keys: createKeyService({ db, keys: keyRepo, access, teams, statuses, audit }),
      users: createUserService({ db, access, teams, audit }),
      auth: createAuthService({ db, access, statuses, keys: keyRepo, audit, secrets }),
      passwords: createPasswordService({ db, access, audit }),
      twoFactor: createTwoFactorService({ db, access, audit, secrets }),
      webToLead: createWebToLeadService({ db, keys: keyRepo, leads, audit, access, statuses }),
    };
  }

  /** Runs `fn` in a transaction that then fails; every table keeps its row count. */
  async function rolledBack(fn: (tx: Parameters<Parameters<typeof inTransaction>[2]>[0]) => Promise<void>) {
    const before = await countAllTables(t.db);
    const failure = inTransaction(t.db.kysely, {}, async (tx) => {
      await fn(tx);
      throw new Error('later failure');
    });
    await expect(failure).rejects.toThrow('later failure');
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  }

  it('keys: API and web-to-lead keys created, changed and revoked with { tx } leave nothing', async () => {
    const { keys } = services();
    await rolledBack(async (tx) => {
      const api = await keys.createApiKey(
        ownerAuth(),
        { name: 'Rolled back', scopes: ['leads:read'] },
        { tx },
      );
      await keys.revokeApiKey(ownerAuth(), api.id, { tx });
      const web = await keys.createWebKey(ownerAuth(), { name: 'Form' }, { tx });
      await keys.updateWebKey(ownerAuth(), web.id, { name: 'Form 2', default_tags: ['web'] }, undefined, {
        tx,
      });
      await keys.revokeWebKey(ownerAuth(), web.id, { tx });
      const revoked = await tx
        .selectFrom('api_keys')
        .select('revoked_at')
        .where('id', '=', api.id)
        .executeTakeFirst();
      expect(revoked?.revoked_at).toBeTruthy();
    });
  });

  it('invitations and members: invite, accept, role change and revoke with { tx } leave nothing', async () => {
    const { users } = services();
    await rolledBack(async (tx) => {
      const inv = await users.invite(
        ownerAuth(),
        { email: 'rolled.back@example.com', role: 'agent' },
        { tx },
      );
      const joined = await users.accept(
        inv.token,
        { name: 'Rolled Back', password: 'a long password 1' },
        {},
        { tx },
      );
      expect(joined.organization_id).toBe(s.orgId);
      const member = await users.update(ownerAuth(), joined.user.id, { role: 'manager' }, undefined, { tx });
      expect(member.role).toBe('manager');
      const other = await users.invite(
        ownerAuth(),
        { email: 'other.one@example.com', role: 'agent' },
        { tx },
      );
      await users.revokeInvitation(ownerAuth(), other.id, { tx });
    });
  });

  it('auth and sessions: signup, login, a pinned token and its release with { tx } leave nothing', async () => {
    const { auth } = services();
    await rolledBack(async (tx) => {
      const made = await auth.signup(
        {
          email: 'new.owner@example.com',
          password: 'a long password 2',
          name: 'New',
          organization_name: 'Gone',
        },
        { tx },
      );
      expect(made.organization.name).toBe('Gone');
      const login = await auth.login(
        { email: 'new.owner@example.com', password: 'a long password 2' },
        {},
        { tx },
      );
      expect('token' in login && login.token).toBeTruthy();
      const pinned = await auth.issueToken(
        { email: 'new.owner@example.com', password: 'a long password 2' },
        60_000,
        {},
        { tx },
      );
      const sessions = await tx
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', made.user.id)
        .orderBy('id')
        .execute();
      expect(sessions).toHaveLength(3);
      await auth.releaseToken({ ...pinned.auth, sessionId: sessions[2].id }, { tx });
      await auth.logout(sessions[0].id, { tx });
    });
  });

  it('passwords: a change with { tx } that rolls back keeps the old password and every session', async () => {
    const { passwords } = services();
    await rolledBack(async (tx) => {
      const r = await passwords.change(
        ownerAuth(),
        { current_password: 'correct horse battery', new_password: 'another long password' },
        { tx },
      );
      expect(r.sessions_ended).toBeGreaterThanOrEqual(1);
    });
    // The session the change would have ended still works, and the old password still signs in.
    expect((await call('GET', '/me')).statusCode).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.email, password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(200);
  });

  it('two-factor: enrolment, confirmation and new recovery codes with { tx } leave nothing', async () => {
    const { twoFactor } = services();
    await rolledBack(async (tx) => {
      const begun = await twoFactor.begin(ownerAuth(), { password: 'correct horse battery' }, undefined, {
        tx,
      });
      const code = await generate({ secret: begun.secret });
      const confirmed = await twoFactor.confirm(ownerAuth(), { code }, undefined, { tx });
      expect(confirmed.recovery_codes).toHaveLength(10);
      await twoFactor.regenerateRecoveryCodes(ownerAuth(), { password: 'correct horse battery' }, undefined, {
        tx,
      });
      expect(await twoFactor.isEnabled(s.userId, { tx })).toBe(true);
    });
    expect((await call('GET', '/me/two-factor')).json()).toMatchObject({ enabled: false, pending: false });
  });

  it('web-to-lead: a form submitted with { tx } leaves no lead, key or audit entry', async () => {
    const { keys, webToLead } = services();
    await rolledBack(async (tx) => {
      const web = await keys.createWebKey(ownerAuth(), { name: 'Site' }, { tx });
      const inside = (await createKeyRepository(tx).findWebKeyByKey(web.key))!;
      const r = await webToLead.submit(inside, { first_name: 'Web', email: 'web@example.com' }, {}, { tx });
      expect(r.created).toBe(true);
    });
  });
});

describe('retries', () => {
  for (const code of ['SQLITE_BUSY', '40001']) {
    it(`a transaction that fails with ${code} is tried again and succeeds`, async () => {
      const lead = await createLead(t.app, s);
      const before = await countRows('tasks');
      let attempts = 0;
      await inTransaction(
        t.db.kysely,
        {},
        async (tx) => {
          attempts += 1;
          await tx
            .insertInto('tasks')
            .values({
              org_id: s.orgId,
              lead_id: lead.id,
              type: 'todo',
              title: `attempt ${attempts}`,
              created_at: new Date().toISOString(),
              updated_at: new Date().toISOString(),
            } as never)
            .execute();
          if (attempts === 1) throw Object.assign(new Error('busy'), { code });
        },
        { baseDelayMs: 1 },
      );
      expect(attempts).toBe(2);
      // The first attempt was rolled back: one task, from the second attempt.
      expect(await countRows('tasks')).toBe(before + 1);
      const titles = await t.db.kysely
        .selectFrom('tasks')
        .select('title')
        .where('lead_id', '=', lead.id)
        .execute();
      expect(titles.map((r) => r.title)).toEqual(['attempt 2']);
    });
  }

  it('a joined transaction is not retried by the inner call', async () => {
    let inner = 0;
    const run = inTransaction(t.db.kysely, {}, async (tx) =>
      inTransaction(tx, { tx }, async () => {
        inner += 1;
        throw Object.assign(new Error('conflict'), { code: 'UNRELATED' });
      }),
    );
    await expect(run).rejects.toThrow('conflict');
    expect(inner).toBe(1);
  });
});

describe('counts of POST /api/v1/leads', () => {
  it('is one transaction', async () => {
    const { result, counts } = await counter.measure(() =>
      call('POST', '/leads', { first_name: 'Counted', email: 'counted@example.com', tags: ['a', 'b'] }),
    );
    expect(result.statusCode).toBe(201);
    expect(counts.transactions).toBe(1);
    console.log(
      `POST /api/v1/leads: ${counts.transactions} transaction(s), ${counts.queries} queries, ${counts.writes} writes`,
    );
    if (process.env.SHOW_SQL) console.log(counts.sql.join('\n'));
  });
});

describe('audit entries in the transaction of the change', () => {
  it('DELETE /leads/:id writes its lead.deleted entry once', async () => {
    const lead = await createLead(t.app, s);
    const before = await countRows('audit_log');
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${lead.id}`, headers: s.headers });
    expect(res.statusCode).toBe(204);
    const rows = await t.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('action', '=', 'lead.deleted')
      .where('target_id', '=', String(lead.id))
      .execute();
    expect(rows).toHaveLength(1);
    expect(await countRows('audit_log')).toBe(before + 1);
  });

  it('a failure after the audit write leaves no audit row', async () => {
    const audit = createAuditService({ audit: createAuditRepository(t.db.kysely) });
    const before = await countRows('audit_log');
    const run = inTransaction(t.db.kysely, {}, async (tx) => {
      await audit.record(ownerAuth(), { action: 'lead.deleted', targetType: 'lead', targetId: 1 }, { tx });
      throw new Error('the change failed after its audit entry');
    });
    await expect(run).rejects.toThrow('the change failed');
    expect(await countRows('audit_log')).toBe(before);
  });
});

describe('changeStatus', () => {
  it('returns the history entry it wrote besides the lead', async () => {
    const db = t.db.kysely;
    const leads = createLeadRepository(db, t.db.dialect);
    const statuses = createStatusRepository(db);
    const reasons = createReasonRepository(db);
    const history = createHistoryRepository(db);
    const lead = await createLead(t.app, s);
    const changes = createStatusChangeService({
      db,
      leads,
      statuses,
      reasons,
      history,
      rules: createStatusRules({ statuses, reasons }),
      present: async (_orgId, rows) => rows.map((r) => ({ id: r.id, version: r.version }) as never),
    });
    const target = (await statuses.listByOrg(s.orgId)).find((x) => x.category === 'on_hold')!;
    const { lead: after, history: entry } = await changes.changeStatus(ownerAuth(), lead.id, {
      status: target.key,
    });
    expect(after.id).toBe(lead.id);
    expect(entry).toMatchObject({ from: lead.status, to: target.key, reason: null, by: s.userId });
    const newest = await db
      .selectFrom('status_history')
      .select(['id', 'created_at'])
      .where('lead_id', '=', lead.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry!.id).toBe(newest.id);
    expect(entry!.at).toBe(newest.created_at);
  });
});
