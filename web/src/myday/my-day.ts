import { useQuery } from '@tanstack/react-query';
import { client, ok, type Ok } from '../client';

export type DueFollowUp = Ok<'listFollowUps'>['data'][number];
export type QueueTask = Ok<'listTasks'>['data'][number];

/** The end of this week (Sunday 23:59:59.999, local time): the horizon of My day. */
export function endOfWeek(now = new Date()): Date {
  const d = new Date(now);
  d.setHours(23, 59, 59, 999);
  d.setDate(d.getDate() + ((7 - d.getDay()) % 7));
  return d;
}
export function endOfToday(now = new Date()): Date {
  const d = new Date(now);
  d.setHours(23, 59, 59, 999);
  return d;
}
/** Tomorrow at 9:00 local time: where "Tomorrow" moves a follow-up or a task. */
export function tomorrowMorning(now = new Date()): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
}

export type Bucket = 'overdue' | 'today' | 'week';
export function bucketOf(due: string, now = new Date()): Bucket {
  const t = new Date(due).getTime();
  if (t < now.getTime()) return 'overdue';
  return t <= endOfToday(now).getTime() ? 'today' : 'week';
}

/**
 * A user's follow-ups (GET /follow-ups: leads due for one, by owner) and open tasks (GET /tasks by assignee) due
 * by the end of this week. The navigation count and the My day screen share these two cached queries.
 */
export function useMyDay(userId: number | undefined) {
  const dueBefore = endOfWeek().toISOString();
  const followUps = useQuery({
    queryKey: ['api', '/follow-ups', { owner_id: userId, due_before: dueBefore }],
    enabled: !!userId,
    queryFn: ({ signal }) =>
      ok(
        client.GET('/api/v1/follow-ups', {
          params: { query: { owner_id: userId, due_before: dueBefore, limit: 200 } },
          signal,
        }),
      ),
  });
  const tasks = useQuery({
    queryKey: ['api', '/tasks', { assignee_id: userId, due_before: dueBefore }],
    enabled: !!userId,
    queryFn: ({ signal }) =>
      ok(
        client.GET('/api/v1/tasks', {
          params: { query: { assignee_id: userId, done: false, due_before: dueBefore, limit: 200 } },
          signal,
        }),
      ),
  });
  const now = new Date();
  const fu = followUps.data?.data ?? [];
  const ts = (tasks.data?.data ?? []).filter((t) => t.due_at && !t.canceled);
  const dueNow =
    fu.filter((f) => bucketOf(f.due_at, now) !== 'week').length +
    ts.filter((t) => bucketOf(t.due_at!, now) !== 'week').length;
  return {
    followUps: fu,
    tasks: ts,
    /** Overdue or due today. */
    dueNow,
    loading: followUps.isPending || tasks.isPending,
    error: followUps.error ?? tasks.error,
  };
}

/**
 * Marks a lead's follow-up done now: the planned follow-up it is due for gets done_at, or (when the date was set
 * on the lead directly) a done follow-up is recorded. The lead's next follow-up follows on the server.
 */
export async function followUpDone(leadId: number) {
  const planned = await plannedFollowUp(leadId);
  const done_at = new Date().toISOString();
  if (planned)
    await ok(
      client.PATCH('/api/v1/leads/{id}/follow-ups/{itemId}', {
        params: { path: { id: leadId, itemId: planned.id } },
        body: { done_at },
      }),
    );
  else
    await ok(
      client.POST('/api/v1/leads/{id}/follow-ups', { params: { path: { id: leadId } }, body: { done_at } }),
    );
}

/** Moves a lead's due follow-up to `at`. */
export async function rescheduleFollowUp(leadId: number, at: Date) {
  const planned = await plannedFollowUp(leadId);
  const scheduled_at = at.toISOString();
  if (planned)
    await ok(
      client.PATCH('/api/v1/leads/{id}/follow-ups/{itemId}', {
        params: { path: { id: leadId, itemId: planned.id } },
        body: { scheduled_at },
      }),
    );
  else
    await ok(
      client.POST('/api/v1/leads/{id}/follow-ups', {
        params: { path: { id: leadId } },
        body: { scheduled_at },
      }),
    );
}

async function plannedFollowUp(leadId: number) {
  const list = await ok(client.GET('/api/v1/leads/{id}/follow-ups', { params: { path: { id: leadId } } }));
  return list.data
    .filter((f) => f.state === 'planned' && f.scheduled_at)
    .sort((a, b) => a.scheduled_at!.localeCompare(b.scheduled_at!))[0];
}

export const taskDone = (taskId: number) =>
  ok(client.PATCH('/api/v1/tasks/{taskId}', { params: { path: { taskId } }, body: { done: true } }));
export const rescheduleTask = (taskId: number, at: Date) =>
  ok(
    client.PATCH('/api/v1/tasks/{taskId}', {
      params: { path: { taskId } },
      body: { due_at: at.toISOString() },
    }),
  );
