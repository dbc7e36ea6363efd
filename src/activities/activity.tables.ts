import type { Generated } from 'kysely';

/** A follow-up with a lead: planned (scheduled_at, no done_at) or done (done_at). */
export interface FollowUpsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  scheduled_at: string | null;
  done_at: string | null;
  done_by: number | null;
  notes: string | null;
  /** When the next follow-up should happen, as decided during this one. */
  next_follow_up_at: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** Tasks and events (calls, meetings, appointments, road tests...). */
export interface TasksTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  type: string;
  title: string;
  description: string | null;
  due_at: string | null;
  start_at: string | null;
  end_at: string | null;
  assignee_id: number | null;
  done_at: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  body: string;
  author_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface AttachmentsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  /** Path relative to the attachments directory. */
  storage_key: string;
  uploaded_by: number | null;
  created_at: string;
}

export interface ActivityTables {
  follow_ups: FollowUpsTable;
  tasks: TasksTable;
  comments: CommentsTable;
  attachments: AttachmentsTable;
}
