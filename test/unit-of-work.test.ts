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
