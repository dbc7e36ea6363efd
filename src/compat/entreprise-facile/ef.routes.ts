import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../http/errors.js';
import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import { pageToOffset } from '../shared/paging.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { EfDeps } from './ef.deps.js';
import { xmlTypeFor } from './ef.errors.js';
import { readLead } from './ef.input.js';
import { toXmlLead } from './ef.view.js';
import { createLead, updateLead } from './ef.write.js';
import { parseXml, renderXml, XML_TYPES, type XmlDocument } from './ef.xml.js';

const tags = ['compat-entreprise-facile'];
/** Leads per page of GET /leads.xml (the document gives none; docs/compat/entreprise-facile.md). */
export const PER_PAGE = 25;

const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Page number, from 1' })),
});
const Account = Type.String({ pattern: '^[0-9]{1,10}$', description: 'The organization id' });
const LeadId = Type.Integer({ minimum: 1, maximum: 2147483647 });

/** One page of the organization's leads, newest first, with the count of all of them (the core's offset paging). */
async function pageOfLeads(deps: EfDeps, auth: AuthContext, page: number) {
  const { offset, limit } = pageToOffset(page, PER_PAGE);
  const r = await deps.leads.list(
    auth,
    { sort: '-created_at', include_converted: true, offset, limit },
    { parts: false, offsetPastEnd: 'empty' },
  );
  return { items: r.data, total: r.total ?? 0 };
}

/**
 * The handlers of seed 001 (declared in ef.surface.ts), each under `/leads...` and the per-account
 * `/{account}/leads...`: thin translations onto the core (docs/compat/entreprise-facile.md).
 */
export function efRoutes(parent: FastifyInstance, kit: SurfaceKit, deps: EfDeps): void {
  // XML only, in this scope: the body is parsed (DOCTYPE refused, well-formedness checked) before the handler.
  parent.removeAllContentTypeParsers();
  parent.addContentTypeParser([...XML_TYPES], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseXml(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  parent.addContentTypeParser('*', (req, _payload, done) =>
    done(
      new AppError(
        'unsupported_media_type',
        `Content-Type ${req.headers['content-type']} is not accepted here; send application/xml or text/xml.`,
      ),
      undefined,
    ),
  );
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  const send = (req: FastifyRequest, reply: FastifyReply, root: string, content: unknown, code = 200) =>
    reply.code(code).type(xmlTypeFor(req)).send(renderXml(root, content));
  const bodyOf = (req: FastifyRequest): XmlDocument => {
    if (req.body === undefined || req.body === null)
      throw new AppError(
        'bad_request',
        'The request body is empty; send an XML document such as <lead>...</lead>.',
      );
    return req.body as XmlDocument;
  };
  const answerLead = async (auth: AuthContext, lead: LeadDto) =>
    toXmlLead(lead, (await kit.faults(auth)).timeZone);

  for (const base of ['', '/:account']) {
    const acct = base ? 'Account' : '';
    const listParams = base ? Type.Object({ account: Account }) : undefined;
    const oneParams = Type.Object(base ? { account: Account, id: LeadId } : { id: LeadId });
    const where = base ? ' (per-account path: {account} is the organization id)' : '';

    app.get(
      `${base}/leads.xml`,
      {
        schema: {
          tags,
          operationId: `efList${acct}Leads`,
          summary: `List leads, page by page${where}`,
          description: `Newest first, ${PER_PAGE} a page: <leads><pagination><current_page/><total_pages/></pagination><lead/>...</leads>.`,
          querystring: PageQuery,
          ...(listParams ? { params: listParams } : {}),
        },
      },
      async (req, reply) => {
        const auth = kit.auth(req);
        const page = req.query.page ?? 1;
        const { items, total } = await pageOfLeads(deps, auth, page);
        const tz = (await kit.faults(auth)).timeZone;
        return send(req, reply, 'leads', {
          pagination: { current_page: page, total_pages: Math.max(1, Math.ceil(total / PER_PAGE)) },
          lead: items.map((l) => toXmlLead(l, tz)),
        });
      },
    );

    app.post(
      `${base}/leads.xml`,
      {
        schema: {
          tags,
          operationId: `efCreate${acct}Lead`,
          summary: `Create a lead, and answer it${where}`,
          ...(listParams ? { params: listParams } : {}),
        },
      },
      async (req, reply) => {
        const auth = kit.auth(req);
        const faults = await kit.faults(auth);
        const changes = readLead(bodyOf(req), faults.at('lead'));
        const lead = await createLead(deps, auth, changes, faults);
        return send(req, reply, 'lead', await answerLead(auth, lead), 201);
      },
    );

    app.get(
      `${base}/leads/:id.xml`,
      { schema: { tags, operationId: `efGet${acct}Lead`, summary: `Get a lead${where}`, params: oneParams } },
      async (req, reply) => {
        const auth = kit.auth(req);
        const lead = await deps.leads.get(auth, (req.params as { id: number }).id);
        return send(req, reply, 'lead', await answerLead(auth, lead));
      },
    );

    app.put(
      `${base}/leads/:id.xml`,
      {
        schema: {
          tags,
          operationId: `efUpdate${acct}Lead`,
          summary: `Update some fields of a lead${where}`,
          description: 'Only the elements sent change; id, created_at and updated_at sent back are accepted.',
          params: oneParams,
        },
      },
      async (req, reply) => {
        const auth = kit.auth(req);
        const faults = await kit.faults(auth);
        const changes = readLead(bodyOf(req), faults.at('lead'));
        const lead = await updateLead(deps, auth, (req.params as { id: number }).id, changes, faults);
        return send(req, reply, 'lead', await answerLead(auth, lead));
      },
    );

    app.delete(
      `${base}/leads/:id.xml`,
      {
        schema: {
          tags,
          operationId: `efDelete${acct}Lead`,
          summary: `Delete a lead${where}`,
          params: oneParams,
        },
      },
      async (req, reply) => {
        const auth = kit.auth(req);
        await deps.leads.remove(auth, (req.params as { id: number }).id);
        return reply.code(200).send();
      },
    );
  }
}
