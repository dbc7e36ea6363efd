import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { CatalogService } from './catalog.service.js';
import { CATALOG_KINDS, type CatalogKind } from './catalog.tables.js';
import * as S from './catalog.schema.js';

/** CRUD for every simple catalog (one path each, e.g. /lead-sources) and for lead types. */
export function catalogRoutes(catalogs: CatalogService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['catalogs'];
    for (const [kind, def] of Object.entries(CATALOG_KINDS) as Array<
      [CatalogKind, (typeof CATALOG_KINDS)[CatalogKind]]
    >) {
      const base = `/${def.path}`;
      app.get(
        base,
        {
          schema: {
            tags,
            summary: `List the ${def.label} catalog`,
            response: { 200: S.CatalogEntryList, ...errorResponses(401) },
          },
        },
        async (req) => ({ data: await catalogs.listEntries(requireAuth(req), kind) }),
      );
      app.get(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Get a ${def.label}`,
            params: IdParams,
            response: { 200: S.CatalogEntryResponse, ...errorResponses(401, 404) },
          },
        },
        async (req) => catalogs.getEntry(requireAuth(req), kind, req.params.id),
      );
      app.post(
        base,
        {
          schema: {
            tags,
            summary: `Add a ${def.label}`,
            body: S.CatalogEntryCreateBody,
            response: { 201: S.CatalogEntryResponse, ...errorResponses(400, 401, 403, 422) },
          },
        },
        async (req, reply) =>
          reply.code(201).send(await catalogs.createEntry(requireAuth(req), kind, req.body)),
      );
      app.patch(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Change a ${def.label}`,
            params: IdParams,
            body: S.CatalogEntryPatchBody,
            response: { 200: S.CatalogEntryResponse, ...errorResponses(400, 401, 403, 404, 422) },
          },
        },
        async (req) => catalogs.updateEntry(requireAuth(req), kind, req.params.id, req.body),
      );
      app.delete(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Delete a ${def.label} (refused while leads use it)`,
            params: IdParams,
            response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
          },
        },
        async (req, reply) => {
          await catalogs.removeEntry(requireAuth(req), kind, req.params.id);
          return reply.code(204).send(null);
        },
      );
    }

    app.get(
      '/lead-types',
      {
        schema: {
          tags,
          summary: 'List the lead types',
          response: { 200: S.LeadTypeList, ...errorResponses(401) },
        },
      },
      async (req) => ({ data: await catalogs.listLeadTypes(requireAuth(req)) }),
    );
    app.get(
      '/lead-types/:id',
      {
        schema: {
          tags,
          summary: 'Get a lead type',
          params: IdParams,
          response: { 200: S.LeadTypeResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => catalogs.getLeadType(requireAuth(req), req.params.id),
    );
    app.post(
      '/lead-types',
      {
        schema: {
          tags,
          summary:
            'Add a lead type (default status and category, allowed statuses, mandatory contact fields)',
          body: S.LeadTypeCreateBody,
          response: { 201: S.LeadTypeResponse, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await catalogs.createLeadType(requireAuth(req), req.body)),
    );
    app.patch(
      '/lead-types/:id',
      {
        schema: {
          tags,
          summary: 'Change a lead type',
          params: IdParams,
          body: S.LeadTypePatchBody,
          response: { 200: S.LeadTypeResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => catalogs.updateLeadType(requireAuth(req), req.params.id, req.body),
    );
    app.delete(
      '/lead-types/:id',
      {
        schema: {
          tags,
          summary: 'Delete a lead type (refused while leads have it)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await catalogs.removeLeadType(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
