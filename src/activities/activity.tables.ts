import type { ColumnType, Generated } from 'kysely';

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
  /** Null for a task or event of no lead (migration 0084). */
  lead_id: number | null;
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
  /** Migration 0084: low, normal, high, urgent; event flags 0/1. */
  priority: ColumnType<string | null, string | null | undefined, string | null>;
  canceled: ColumnType<number, number | undefined, number>;
  confirmed: ColumnType<number, number | undefined, number>;
  no_show: ColumnType<number, number | undefined, number>;
}

export interface CommentsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  body: string;
  author_id: number | null;
  created_at: string;
  updated_at: string;
  /** Migration 0084: the note this one answers, and a file it carries (a link, or an attachment of the lead). */
  parent_id: ColumnType<number | null, number | null | undefined, number | null>;
  file_url: ColumnType<string | null, string | null | undefined, string | null>;
  attachment_id: ColumnType<number | null, number | null | undefined, number | null>;
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
