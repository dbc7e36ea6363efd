import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { CompanyWriteFields } from './company.schema.js';
import { ContactWriteFields } from './contact.schema.js';
import { OpportunityWriteFields } from './opportunity.schema.js';

const { company_id: _c, contact_id: _k, lead_id: _l, ...opportunityFields } = OpportunityWriteFields;

/**
 * What a lead becomes. Absent company/contact parts are taken from the lead: its linked company, else a company
 * matching its email domain, website or name, else a new one from company_name; likewise its linked contact,
 * else one with its email, else a new one from its name and email. An opportunity is made only when asked.
 */
export const ConvertBody = Type.Object(
  {
    company_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Link this existing company' })),
    create_company: Type.Optional(
      Type.Object(
        { ...CompanyWriteFields, name: Type.Optional(CompanyWriteFields.name) },
        {
          additionalProperties: false,
          description: 'Create a company; absent fields come from the lead (name from company_name)',
        },
      ),
    ),
    contact_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Link this existing contact' })),
    create_contact: Type.Optional(
      Type.Object(ContactWriteFields, {
        additionalProperties: false,
        description: 'Create a contact; absent fields come from the lead',
      }),
    ),
    create_opportunity: Type.Optional(
      Type.Object(
        { ...opportunityFields, name: Type.Optional(OpportunityWriteFields.name) },
        {
          additionalProperties: false,
          description: 'Create an opportunity; name defaults to the lead title, amount to its value',
        },
      ),
    ),
    reason_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Why it converted, when the converted status requires a reason (GET /api/v1/reasons)',
      }),
    ),
    note: Type.Optional(
      Nullable(Type.String({ maxLength: 2000, description: 'Kept in the status history entry' })),
    ),
  },
  { additionalProperties: false },
);
export type ConvertInput = Static<typeof ConvertBody>;

export const ConvertResponse = Type.Object({
  lead: Type.Ref('Lead'),
  company: Nullable(Type.Ref('Company')),
  contact: Nullable(Type.Ref('Contact')),
  opportunity: Nullable(Type.Ref('Opportunity')),
  created: Type.Object({ company: Type.Boolean(), contact: Type.Boolean(), opportunity: Type.Boolean() }),
});
