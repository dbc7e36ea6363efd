import { Type, type Static } from 'typebox';

const Str = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));
/** A list of ids or names: an array, or (multipart forms) a JSON array or a comma-separated string. */
const List = Type.Optional(
  Type.Union([
    Type.Array(Type.Union([Type.String({ maxLength: 100 }), Type.Integer()]), { maxItems: 100 }),
    Type.String({ maxLength: 10000 }),
    Type.Null(),
  ]),
);
const Bool = Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 10 })]));

/** Every field of the document's Lead that a client writes (POST/PUT/PATCH /api/leads/). */
export const LeadFields = {
  title: Str(500),
  first_name: Str(200),
  last_name: Str(200),
  email: Str(254),
  phone: Str(50),
  status: Str(40),
  source: Str(200),
  account_name: Str(300),
  website: Str(500),
  description: Str(20000),
  opportunity_amount: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number(), Type.Null()])),
  probability: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 4 }), Type.Null()])),
  address_line: Str(300),
  street: Str(300),
  city: Str(200),
  state: Str(100),
  postcode: Str(40),
  country: Str(60),
  contacts: List,
  assigned_to: List,
  teams: List,
  tags: List,
  auto_convert: Bool,
  /** The public system's form sends the organization and a company too. */
  org: Str(60),
  company: Str(60),
};
export const LeadBody = Type.Object(LeadFields, { additionalProperties: false });
export type LeadBodyT = Static<typeof LeadBody>;

export const ListQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    source: Type.Optional(Type.String({ maxLength: 200 })),
    assigned_to: Type.Optional(Type.String({ maxLength: 2000 })),
    status: Type.Optional(Type.String({ maxLength: 40 })),
    tags: Type.Optional(Type.String({ maxLength: 2000 })),
    city: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 10 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
export type ListQueryT = Static<typeof ListQuery>;

export const IdParam = Type.Object({ id: Type.String({ maxLength: 60 }) });

export const CommentBody = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 20000 })) },
  { additionalProperties: false },
);

export const SiteQuery = Type.Object(
  { apikey: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
export const SiteBody = Type.Object(
  {
    apikey: Type.Optional(Type.String({ maxLength: 200 })),
    title: Str(500),
    first_name: Str(200),
    last_name: Str(200),
    email: Str(254),
    phone: Str(50),
    account_name: Str(300),
    source: Str(200),
    website: Str(500),
    description: Str(20000),
    address_line: Str(300),
    street: Str(300),
    city: Str(200),
    state: Str(100),
    postcode: Str(40),
    country: Str(60),
  },
  { additionalProperties: false },
);
export type SiteBodyT = Static<typeof SiteBody>;

export const CompanyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 300 })),
    industry: Str(200),
    website: Str(500),
    email: Str(254),
    phone: Str(50),
    address: Str(1000),
    billing_street: Str(300),
    billing_city: Str(200),
    billing_state: Str(100),
    billing_postcode: Str(40),
    billing_country: Str(60),
  },
  { additionalProperties: false },
);
export type CompanyBodyT = Static<typeof CompanyBody>;
