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

/** Absent when the sign-in asked for a cookie session (`X-Leadflow-Session: cookie`): the token is then a cookie. */
const SessionToken = Type.Optional(Type.String());
export const SignupResponse = Type.Object({ token: SessionToken, user: UserRef, organization: OrgRef });
export const LoginResponse = Type.Object({
  token: SessionToken,
  user: UserRef,
  organizations: Type.Array(OrgMembership),
});
/** The password was right and the account has two-factor on: send a code with this token (no session yet). */
export const TwoFactorChallenge = Type.Object({
  two_factor_required: Type.Literal(true),
  challenge_token: Type.String(),
  expires_at: Type.String({ format: 'date-time' }),
});
export const LoginOrChallenge = Type.Union([LoginResponse, TwoFactorChallenge]);
export const TwoFactorLoginBody = Type.Object(
  {
    challenge_token: Type.String({ minLength: 1, maxLength: 200 }),
    code: Type.String({
      minLength: 6,
      maxLength: 20,
      description: 'The 6-digit code of the authenticator app, or an unused recovery code',
    }),
  },
  { additionalProperties: false },
);
const Code = Type.String({ minLength: 6, maxLength: 20 });
export const TwoFactorStatus = Type.Object({
  enabled: Type.Boolean(),
  pending: Type.Boolean({ description: 'An enrolment waits for its first code' }),
  enabled_at: Type.Union([Type.String(), Type.Null()]),
  recovery_codes_left: Type.Integer(),
});
export const TwoFactorBeginBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const TwoFactorEnrolment = Type.Object({
  secret: Type.String({ description: 'Base32, for typing into an authenticator app' }),
  otpauth_uri: Type.String(),
  qr_code: Type.String({ description: 'The otpauth URI as a PNG data URL' }),
});
export const TwoFactorConfirmBody = Type.Object({ code: Code }, { additionalProperties: false });
export const TwoFactorProofBody = Type.Object(
  {
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    code: Type.Optional(Code),
  },
  { additionalProperties: false },
);
export const RecoveryCodes = Type.Object({
  recovery_codes: Type.Array(Type.String(), { description: 'Shown this once; each works once' }),
});
export const MeResponse = Type.Object({
  user: Type.Union([UserRef, Type.Null()]),
  organization_id: Type.Integer(),
  role: Type.String(),
  organizations: Type.Array(OrgMembership),
});
