import { Type } from 'typebox';

const Email = Type.String({ format: 'email', maxLength: 254 });

export const SignupBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 8, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    organization_name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const UserRef = Type.Object({ id: Type.Integer(), email: Type.String(), name: Type.String() });
export const OrgRef = Type.Object({ id: Type.Integer(), name: Type.String() });
export const OrgMembership = Type.Object({ id: Type.Integer(), name: Type.String(), role: Type.String() });

export const SignupResponse = Type.Object({ token: Type.String(), user: UserRef, organization: OrgRef });
export const LoginResponse = Type.Object({
  token: Type.String(),
  user: UserRef,
  organizations: Type.Array(OrgMembership),
});
export const MeResponse = Type.Object({
  user: Type.Union([UserRef, Type.Null()]),
  organization_id: Type.Integer(),
  role: Type.String(),
  organizations: Type.Array(OrgMembership),
});
