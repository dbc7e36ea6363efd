import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { ROLES, SCOPES } from './roles.js';

const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'owner, admin, manager, agent or viewer' },
);
const NStr = Nullable(Type.String());
const NInt = Nullable(Type.Integer());

export const UserResponse = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  active: Type.Boolean(),
  joined_at: Type.String(),
  deactivated_at: NStr,
});
export const UserListResponse = Type.Object({ data: Type.Array(UserResponse) });
export const UserPatchBody = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    active: Type.Optional(
      Type.Boolean({ description: 'false deactivates: their tokens stop working at once' }),
    ),
  },
  { additionalProperties: false },
);

export const InvitationBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    role: RoleSchema,
    team_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export const InvitationResponse = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: Type.String(),
  team_ids: Type.Array(Type.Integer()),
  state: Type.String({ description: 'pending, accepted, revoked or expired' }),
  invited_by: NInt,
  created_at: Type.String(),
  expires_at: Type.String(),
  delivery: Type.Optional(
    Nullable(
      Type.Object(
        {
          email_id: Type.Integer(),
          status: Type.String({ description: 'queued (not delivered yet), sent or failed' }),
          attempts: Type.Integer(),
          last_error: NStr,
          sent_at: NStr,
        },
        { description: 'The invitation email (src/email); null when none was sent' },
      ),
    ),
  ),
});
export const InvitationCreatedResponse = Type.Object({
  ...InvitationResponse.properties,
  token: Type.String({ description: 'Shown once: send it to the person (it is their credential to join)' }),
  accept_path: Type.String(),
});
export const InvitationListResponse = Type.Object({ data: Type.Array(InvitationResponse) });
export const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) });
export const AcceptBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Required when you have no account yet' }),
    ),
    password: Type.String({
      minLength: 8,
      maxLength: 200,
      description: 'A new password, or the one of your existing account',
    }),
  },
  { additionalProperties: false },
);
export const AcceptResponse = Type.Object({
  token: Type.Optional(Type.String({ description: 'Absent when the session was set as a cookie' })),
  user: Type.Object({ id: Type.Integer(), email: Type.String(), name: Type.String() }),
  organization_id: Type.Integer(),
  role: Type.String(),
});

const TeamMember = Type.Object({ id: Type.Integer(), name: Type.String(), email: Type.String() });
export const TeamResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  created_at: Type.String(),
  members: Type.Array(TeamMember),
});
export const TeamListResponse = Type.Object({ data: Type.Array(TeamResponse) });
export const TeamCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    member_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export const TeamPatchBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const TeamMemberParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  userId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

export const ApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), {
      minItems: 1,
      maxItems: SCOPES.length,
    }),
    expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  },
  { additionalProperties: false },
);
export const ApiKeyResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  scopes: Type.Array(Type.String()),
  created_by: NInt,
  created_at: Type.String(),
  expires_at: NStr,
  last_used_at: NStr,
  revoked_at: NStr,
});
export const ApiKeyCreatedResponse = Type.Object({
  ...ApiKeyResponse.properties,
  key: Type.String({
    description: 'The secret, shown only in this response: use it as Authorization: Bearer <key>',
  }),
});
export const ApiKeyListResponse = Type.Object({ data: Type.Array(ApiKeyResponse) });

const WebKeyFields = {
  allowed_origins: Type.Optional(
    Type.Array(Type.String({ maxLength: 300 }), {
      maxItems: 50,
      description: 'Origins allowed to post from a browser; empty: any',
    }),
  ),
  default_source: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  default_status: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  default_owner_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  default_team_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  default_tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
  success_url: Type.Optional(
    Nullable(
      Type.String({ maxLength: 1000, description: 'Where a plain HTML form post is redirected (303)' }),
    ),
  ),
  rate_limit_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
};
export const WebKeyCreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), ...WebKeyFields },
  { additionalProperties: false },
);
export const WebKeyPatchBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...WebKeyFields },
  { additionalProperties: false },
);
export const WebKeyResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  key: Type.String({ description: 'Public: it goes into your web page' }),
  allowed_origins: Type.Array(Type.String()),
  default_source: NStr,
  default_status: NStr,
  default_owner_id: NInt,
  default_team_id: NInt,
  default_tags: Type.Array(Type.String()),
  success_url: NStr,
  rate_limit_per_minute: Type.Integer(),
  created_at: Type.String(),
  last_used_at: NStr,
  revoked_at: NStr,
});
export const WebKeyListResponse = Type.Object({ data: Type.Array(WebKeyResponse) });

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actor_user_id: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);
export const AuditListResponse = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      action: Type.String(),
      actor: Type.Object({ type: Type.String(), user_id: NInt, api_key_id: NInt }),
      target_type: NStr,
      target_id: NStr,
      ip: NStr,
      details: Type.Record(Type.String(), Type.Unknown()),
      created_at: Type.String(),
    }),
  ),
  next_cursor: NStr,
});
