import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';

/** API key per channel; "contact" is "all" (seed 000 unsubscribe_all_date). */
export const CONSENT_CHANNELS = {
  do_not_call: 'call',
  do_not_email: 'email',
  do_not_sms: 'sms',
  do_not_contact: 'all',
} as const;
export type ConsentKey = keyof typeof CONSENT_CHANNELS;
const KEYS = Object.keys(CONSENT_CHANNELS) as ConsentKey[];

const inProps: Record<string, ReturnType<typeof Type.Optional>> = {};
const outProps: Record<string, ReturnType<typeof Type.Boolean> | ReturnType<typeof Nullable>> = {};
for (const k of KEYS) {
  inProps[k] = Type.Optional(
    Type.Boolean({ description: 'true: opted out from now (or from the _at date)' }),
  );
  inProps[`${k}_at`] = Type.Optional(
    Nullable(Type.String({ format: 'date-time', description: 'Since when (sets the flag; null clears it)' })),
  );
  outProps[k] = Type.Boolean();
  outProps[`${k}_at`] = Nullable(Type.String());
}
export const ConsentInput = Type.Object(inProps, { additionalProperties: false });
export type ConsentInputT = Partial<Record<string, boolean | string | null>>;
export const ConsentResponse = Type.Object(outProps);
export type ConsentDto = Record<string, boolean | string | null>;

export const ConsentWriteFields = {
  consent: Type.Optional(ConsentInput),
};
export const ConsentResponseFields = {
  consent: Type.Optional(ConsentResponse),
};
export type { Static };
