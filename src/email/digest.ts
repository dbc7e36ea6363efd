import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction } from '../db/unit-of-work.js';
import type { EmailRepository } from './email.repository.js';
import type { Notifications } from './notifications.js';
import { leadName } from './notifications.js';
import type { Outbox } from './outbox.js';
import { renderDailyDigest, type DigestItem } from './templates.js';
import { isTimeZone, nextDate, zonedMidnight, zonedParts } from './zoned.js';

/** The local hour the digest goes out at. */
export const DIGEST_HOUR = 8;

export interface DigestDeps {
  db: Kysely<Database>;
  repo: EmailRepository;
  outbox: Outbox;
  notifications: Notifications;
  log?: { error(obj: unknown, msg: string): void };
}

/**
 * One email per member each day at 8:00 in the organization's time zone (null = UTC), listing the follow-ups and
 * tasks due that local day. A row in digest_runs per organization and local date makes it happen once, whichever
 * process (or restart) gets there first; a server that was down at 8:00 sends it when it is back the same day.
 */
export function createDigestScheduler({ db, repo, outbox, notifications, log }: DigestDeps) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  async function runOrg(orgId: number, timeZone: string, at: Date): Promise<number> {
    const local = zonedParts(at, timeZone);
    if (local.hour < DIGEST_HOUR) return 0;
    return inTransaction(db, {}, async (trx) => {
      if (!(await repo.claimDigest(trx, orgId, local.date, nowIso()))) return 0;
      const from = zonedMidnight(local.date, timeZone).toISOString();
      const to = zonedMidnight(nextDate(local.date), timeZone).toISOString();
      const rows = await repo.dueBetween(trx, orgId, from, to);
      const byUser = new Map<number, DigestItem[]>();
      for (const r of rows) {
        if (r.user_id === null || r.at === null) continue;
        const list = byUser.get(r.user_id) ?? [];
        list.push({
          kind: r.kind,
          at: r.at,
          title: r.title ?? '',
          lead: leadName({ ...r, id: r.lead_id }),
          leadId: r.lead_id,
        });
        byUser.set(r.user_id, list);
      }
      const { ctx } = await notifications.context(trx, orgId);
      let sent = 0;
      for (const [userId, items] of byUser) {
        const member = await repo.activeMember(trx, orgId, userId);
        if (!member) continue;
        if (!(await notifications.preferences(trx, orgId, userId)).daily_digest) continue;
        items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
        await outbox.enqueue(trx, {
          orgId,
          template: 'daily_digest',
          to: member.email,
          userId,
          rendered: renderDailyDigest(ctx, { name: member.name, date: local.date, items }),
        });
        sent++;
      }
      return sent;
    });
  }

  /** Queues the digests that are due at `at` and not queued yet; returns how many emails were queued. */
  async function runDue(at: Date = new Date()): Promise<number> {
    let total = 0;
    for (const org of await repo.organizations(db)) {
      const tz = org.time_zone && isTimeZone(org.time_zone) ? org.time_zone : 'UTC';
      try {
        total += await runOrg(org.id, tz, at);
      } catch (err) {
        log?.error({ err, orgId: org.id }, 'daily digest failed');
      }
    }
    return total;
  }

  return {
    runDue,
    /** Checks every `everyMs` (default a minute) whether an organization reached 8:00. */
    start(everyMs = 60_000) {
      if (timer) return;
      const tick = () => {
        if (running) return;
        running = runDue()
          .catch((err) => log?.error({ err }, 'daily digest failed'))
          .finally(() => (running = null));
      };
      timer = setInterval(tick, everyMs);
      timer.unref();
      setTimeout(tick, 1000).unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running;
    },
  };
}

export type DigestScheduler = ReturnType<typeof createDigestScheduler>;
