import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthContext } from '../../access/roles.js';
import { AppError } from '../../http/errors.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { DjangoDeps } from './django.deps.js';
import { IdParam } from './django.schema.js';
import { DJANGO_SOURCES, STATUS_WRITE } from './django.mapping.js';
import { idOf, uuidOf } from './django.ids.js';

/** The document's column names -> the core import's target fields. */
const COLUMNS: Record<string, string> = {
  title: 'title',
  first_name: 'first_name',
  last_name: 'last_name',
  email: 'email',
  phone: 'phone',
  status: 'status',
  source: 'source',
  account_name: 'company_name',
  website: 'website',
  description: 'description',
  opportunity_amount: 'value',
  probability: 'probability',
  address_line: 'address_line1',
  street: 'address_line2',
  city: 'city',
  state: 'state',
  postcode: 'postal_code',
  country: 'country',
  tags: 'tags',
};
const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
const WAIT_MS = 60_000;
const AnyBody = Type.Object({}, { additionalProperties: true });

type ImportDto = Awaited<ReturnType<DjangoDeps['imports']['get']>>;

/**
 * `POST /api/leads/upload/` (field `leads_file`, CSV or Excel): the core import (src/imports) with this API's
 * columns and vocabulary; files up to `uploadWaitBytes` are imported while the request waits, larger ones
 * answer 202 with the job to poll at `GET /api/leads/upload/{id}/`.
 */
export async function registerUpload(app: FastifyInstance, kit: SurfaceKit, deps: DjangoDeps) {
  await app.register(multipart, { limits: { fileSize: deps.importMaxBytes, files: 1, fields: 10 } });
  const bodyLimit = deps.importMaxBytes + 1024 * 1024;
  async function answer(auth: AuthContext, imp: ImportDto) {
    const done = imp.status === 'completed' || imp.status === 'failed';
    if (!done)
      return {
        code: 202,
        body: {
          status: 'processing',
          job: {
            id: uuidOf('import', imp.id),
            url: `/compat/django-crm/api/leads/upload/${uuidOf('import', imp.id)}/`,
            percent: imp.percent,
          },
          imported_count: imp.counts.created + imp.counts.updated,
          failed_count: imp.counts.failed,
          errors: [],
        },
      };
    const problems = await deps.imports.errorList(auth, imp.id, 1000);
    const byRow = new Map<number, string[]>();
    for (const p of problems) {
      const list = byRow.get(p.row) ?? [];
      list.push(p.column ? `${p.column}: ${p.message}` : p.message);
      byRow.set(p.row, list);
    }
    const imported = imp.counts.created + imp.counts.updated;
    const errors = [...byRow].map(([row, msgs]) => ({ row, message: msgs.join('; ') }));
    if (imp.status === 'failed' && errors.length === 0)
      errors.push({ row: 0, message: imp.error ?? 'The import failed.' });
    return {
      code: imported > 0 ? 200 : 400,
      body: {
        status: imported === 0 ? 'failed' : imp.counts.failed > 0 ? 'partial' : 'success',
        imported_count: imported,
        failed_count: imp.counts.failed,
        skipped_count: imp.counts.skipped,
        errors,
        job: { id: uuidOf('import', imp.id) },
      },
    };
  }

  async function waitFor(auth: AuthContext, id: number): Promise<ImportDto> {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const imp = await deps.imports.get(auth, id);
      if (imp.status === 'completed' || imp.status === 'failed' || Date.now() > until) return imp;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  for (const url of ['/api/leads/upload/', '/api/leads/upload'])
    app.post(
      url,
      {
        bodyLimit,
        schema: { hide: !url.endsWith('/'), response: { 200: AnyBody, 202: AnyBody, 400: AnyBody } },
      },
      async (req, reply) => {
        const auth = kit.auth(req);
        const missing = () =>
          new AppError('bad_request', 'Send the file as multipart/form-data in a field named "leads_file".', [
            { field: 'leads_file', message: 'This field is required.' },
          ]);
        if (!req.isMultipart()) throw missing();
        const part = await req.file();
        if (!part || part.fieldname !== 'leads_file') {
          part?.file.resume();
          throw missing();
        }
        const imp = await deps.imports.upload(auth, {
          filename: part.filename,
          stream: part.file,
          truncated: () => part.file.truncated,
        });
        const mapping: Record<string, string | null> = {};
        const valueMap: Record<string, Record<string, string | null>> = {};
        for (const col of imp.header as string[]) {
          const target = COLUMNS[norm(col)] ?? imp.suggested_mapping[col] ?? null;
          mapping[col] = target;
          if (target === 'status')
            valueMap[col] = Object.fromEntries(
              Object.entries(STATUS_WRITE).flatMap(([w, key]) => [
                [w, key],
                [w.replace(/\b\w/g, (c) => c.toUpperCase()), key],
                [w.charAt(0).toUpperCase() + w.slice(1), key],
              ]),
            );
          if (target === 'source') valueMap[col] = { ...DJANGO_SOURCES };
          if (target === 'country') valueMap[col] = { USA: 'US', 'United States': 'US', UK: 'GB' };
        }
        const ran = await deps.imports.run(auth, imp.id, {
          mapping,
          value_map: valueMap,
          defaults: { status: STATUS_WRITE.assigned },
        } as never);
        const final = imp.size_bytes <= deps.uploadWaitBytes ? await waitFor(auth, ran.id) : ran;
        const a = await answer(auth, final);
        return reply.code(a.code as 200).send(a.body);
      },
    );

  for (const url of ['/api/leads/upload/:id/', '/api/leads/upload/:id'])
    app.get(url, { schema: { params: IdParam, hide: !url.endsWith('/') } }, async (req, reply) => {
      const auth = kit.auth(req);
      const id = idOf('import', (req.params as { id: string }).id);
      if (id === undefined) throw new AppError('not_found', 'No import matches the given query.');
      const a = await answer(auth, await deps.imports.get(auth, id));
      return reply.code((a.code === 202 ? 200 : a.code) as 200).send(a.body);
    });
}
