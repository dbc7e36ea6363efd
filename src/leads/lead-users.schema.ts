import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';

/** Roles a user can hold on a lead. The owner is leads.owner_id; assignees may be several, the others one each. */
export const LEAD_USER_ROLES = [
  'owner',
  'assignee',
  'advisor',
  'bdc',
  'commercial',
  'service_advisor',
  'service_agent',
  'took_over_by',
  'delivered_by',
] as const;
export type LeadUserRole = (typeof LEAD_USER_ROLES)[number];
/** Roles held by several users at once. */
export const MULTI_ROLES: ReadonlySet<string> = new Set(['assignee']);

const roleDescription = `One of: ${LEAD_USER_ROLES.join(', ')} (commercial is the F&I manager)`;

/** A role is checked by the service (422 naming the field), so a plain string here. */
export const LeadUserInput = Type.Object(
  {
    user_id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    role: Type.String({ minLength: 1, maxLength: 40, description: roleDescription }),
  },
  { additionalProperties: false },
);
export const LeadUserPatch = Type.Object(
  {
    user_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    role: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: roleDescription })),
  },
  { additionalProperties: false },
);
export type LeadUserInputT = Static<typeof LeadUserInput>;
export type LeadUserPatchT = Static<typeof LeadUserPatch>;

export const LeadUserResponse = Type.Object({
  id: Nullable(
    Type.Integer({ description: 'null for the owner (leads.owner_id, changed through PATCH /leads/:id)' }),
  ),
  user_id: Type.Integer(),
  role: Type.String(),
  created_at: Nullable(Type.String()),
});
export type LeadUserDto = Static<typeof LeadUserResponse>;
export const LeadUserList = Type.Object({ data: Type.Array(LeadUserResponse) });

/** Fields the lead body (create and PATCH) takes for this part. */
export const LeadUserWriteFields = {
  users: Type.Optional(
    Type.Array(LeadUserInput, {
      maxItems: 50,
      description: 'Users with a role other than owner (replaces the list; the owner is owner_id)',
    }),
  ),
  team_ids: Type.Optional(
    Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), {
      maxItems: 50,
      description: 'Every team of the lead (replaces the list); team_id stays the primary one',
    }),
  ),
};
export const LeadUserResponseFields = {
  users: Type.Optional(Type.Array(LeadUserResponse)),
  team_ids: Type.Optional(
    Type.Array(Type.Integer(), { description: 'team_id first (when set), then the other teams' }),
  ),
};

export const LeadTeamInput = Type.Object(
  { team_id: Type.Integer({ minimum: 1, maximum: 2147483647 }) },
  { additionalProperties: false },
);
export const LeadTeamResponse = Type.Object({
  id: Type.Integer({ description: 'The team id' }),
  team_id: Type.Integer(),
  primary: Type.Boolean({ description: 'true for leads.team_id' }),
});
export const LeadTeamList = Type.Object({ data: Type.Array(LeadTeamResponse) });
