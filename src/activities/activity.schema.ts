import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';

const Instant = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const NInstant = (description?: string) => Nullable(Instant(description));
const NStr = Nullable(Type.String());
const NInt = Nullable(Type.Integer());

export const LeadChildParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  itemId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

export const FollowUpResponse = Type.Object({
  id: Type.Integer(),
  lead_id: Type.Integer(),
  state: Type.String({ description: 'planned | done' }),
  scheduled_at: NStr,
  done_at: NStr,
  done_by: NInt,
  notes: NStr,
  next_follow_up_at: NStr,
  created_by: NInt,
  created_at: Type.String(),
  updated_at: Type.String(),
});
const followUpFields = {
  scheduled_at: Type.Optional(NInstant('When it is (or was) planned')),
  done_at: Type.Optional(NInstant('When it happened; not in the future')),
  done_by: Type.Optional(
    Nullable(
      Type.Integer({ minimum: 1, description: 'User who followed up (default: you, when done_at is set)' }),
    ),
  ),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
  next_follow_up_at: Type.Optional(NInstant('The next follow-up decided during this one')),
};
export const FollowUpCreateBody = Type.Object(
  {
    ...followUpFields,
    created_at: Type.Optional(Instant('When it was recorded, for backdated imports (default: now)')),
  },
  { additionalProperties: false },
);
export const FollowUpPatchBody = Type.Object(followUpFields, { additionalProperties: false });
export const FollowUpList = Type.Object({ data: Type.Array(FollowUpResponse) });
export const FollowUpQueueQuery = Type.Object(
  {
    due_before: Type.Optional(Instant('Only leads due by then (e.g. the end of today)')),
    owner_id: Type.Optional(Type.Integer({ minimum: 1 })),
    include_closed: Type.Optional(
      Type.Boolean({ description: 'Also leads that are won, lost, converted or closed' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const FollowUpQueueResponse = Type.Object({
  data: Type.Array(Type.Object({ due_at: Type.String(), overdue: Type.Boolean(), lead: Type.Ref('Lead') })),
  next_cursor: NStr,
});

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TaskResponse = Type.Object({
  id: Type.Integer(),
  lead_id: Nullable(Type.Integer({ description: 'null: a task or event of no lead' })),
  type: Type.String(),
  title: Type.String(),
  description: NStr,
  due_at: NStr,
  start_at: NStr,
  end_at: NStr,
  assignee_id: NInt,
  done: Type.Boolean(),
  done_at: NStr,
  priority: NStr,
  canceled: Type.Boolean(),
  confirmed: Type.Boolean(),
  no_show: Type.Boolean(),
  created_by: NInt,
  created_at: Type.String(),
  updated_at: Type.String(),
});
const taskFields = {
  type: Type.String({
    pattern: '^[a-z][a-z0-9_]{0,39}$',
    description: 'call, meeting, appointment, road_test, email, sms, visit, todo (default) or your own',
  }),
  title: Type.String({ minLength: 1, maxLength: 500 }),
  description: Nullable(Type.String({ maxLength: 20000 })),
  due_at: NInstant(),
  start_at: NInstant('Events: when it starts'),
  end_at: NInstant('Events: when it ends (not before start_at)'),
  assignee_id: Nullable(Type.Integer({ minimum: 1 })),
  done: Type.Boolean(),
  done_at: NInstant('When it was done (implies done)'),
  priority: Nullable(
    Type.Unsafe<(typeof TASK_PRIORITIES)[number]>({ type: 'string', enum: [...TASK_PRIORITIES] }),
  ),
  canceled: Type.Boolean({ description: 'Events: called off' }),
  confirmed: Type.Boolean({ description: 'Events: the lead confirmed' }),
  no_show: Type.Boolean({ description: 'Events: the lead did not come' }),
};
export const TaskCreateBody = Type.Object(
  {
    type: Type.Optional(taskFields.type),
    title: taskFields.title,
    description: Type.Optional(taskFields.description),
    due_at: Type.Optional(taskFields.due_at),
    start_at: Type.Optional(taskFields.start_at),
    end_at: Type.Optional(taskFields.end_at),
    assignee_id: Type.Optional(taskFields.assignee_id),
    done: Type.Optional(taskFields.done),
    done_at: Type.Optional(taskFields.done_at),
    priority: Type.Optional(taskFields.priority),
    canceled: Type.Optional(taskFields.canceled),
    confirmed: Type.Optional(taskFields.confirmed),
    no_show: Type.Optional(taskFields.no_show),
  },
  { additionalProperties: false },
);
export const TaskPatchBody = Type.Object(
  Object.fromEntries(Object.entries(taskFields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof taskFields]: ReturnType<typeof Type.Optional<(typeof taskFields)[K]>>;
  },
  { additionalProperties: false },
);
export const TaskList = Type.Object({ data: Type.Array(TaskResponse) });
export const TaskQueueQuery = Type.Object(
  {
    assignee_id: Type.Optional(Type.Integer({ minimum: 1 })),
    done: Type.Optional(Type.Boolean()),
    due_before: Type.Optional(Instant()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const TaskPage = Type.Object({ data: Type.Array(TaskResponse), next_cursor: NStr });

const CommentLinkFields = {
  parent_id: Type.Optional(
    Nullable(
      Type.Integer({ minimum: 1, maximum: 2147483647, description: 'A note of the same lead it answers' }),
    ),
  ),
  file_url: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 2000 }))),
  attachment_id: Type.Optional(
    Nullable(
      Type.Integer({ minimum: 1, maximum: 2147483647, description: 'An attachment of the same lead' }),
    ),
  ),
};
export const CommentResponse = Type.Object({
  id: Type.Integer(),
  lead_id: Type.Integer(),
  body: Type.String(),
  author_id: NInt,
  parent_id: Nullable(Type.Integer({ description: 'The note this one answers' })),
  file_url: NStr,
  attachment_id: Nullable(Type.Integer({ description: 'An attachment of the lead this note carries' })),
  created_at: Type.String(),
  updated_at: Type.String(),
  edited: Type.Boolean(),
});
export const CommentCreateBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 20000 }),
    created_at: Type.Optional(Instant('Backdated comments from imports (default: now)')),
    ...CommentLinkFields,
  },
  { additionalProperties: false },
);
export const CommentPatchBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 20000 }), ...CommentLinkFields },
  { additionalProperties: false },
);
export const CommentList = Type.Object({ data: Type.Array(CommentResponse) });

export const AttachmentResponse = Type.Object({
  id: Type.Integer(),
  lead_id: Type.Integer(),
  filename: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
  uploaded_by: NInt,
  created_at: Type.String(),
  url: Type.String({ description: 'Download path' }),
});
export const AttachmentList = Type.Object({ data: Type.Array(AttachmentResponse) });

export const TagList = Type.Object({
  data: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })),
});

export const TimelineQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    types: Type.Optional(
      Type.String({
        description:
          'Comma-separated: created, status_change, field_change, follow_up, task, comment, attachment',
      }),
    ),
  },
  { additionalProperties: false },
);
export const TimelineResponse = Type.Object({
  data: Type.Array(
    Type.Object({
      type: Type.String(),
      id: Type.Integer(),
      at: Type.String(),
      by: NInt,
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  next_cursor: NStr,
});
