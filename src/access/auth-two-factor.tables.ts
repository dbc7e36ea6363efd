import type { Generated } from 'kysely';

/** Tables of two-factor sign-in (migration 0151): a person's, not an organization's, like `sessions`. */
export interface UserTwoFactorTable {
  user_id: number;
  /** The TOTP secret (base32), as an authenticator app holds it. */
  secret: string;
  created_at: string;
  /** Null while the enrolment waits for its first code. */
  confirmed_at: string | null;
  /** The TOTP time step of the last accepted code: a code is accepted once. */
  last_time_step: number | null;
}

export interface TwoFactorRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface LoginChallengesTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  attempts: Generated<number>;
  used_at: string | null;
}

export interface TwoFactorTables {
  user_two_factor: UserTwoFactorTable;
  two_factor_recovery_codes: TwoFactorRecoveryCodesTable;
  login_challenges: LoginChallengesTable;
}
