import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { DuplicateDetection } from './duplicates.service.js';
import type { MergeService } from './merge.service.js';
import {
  CandidateList,
  DismissBody,
  DismissResponse,
  GroupList,
  GroupQuery,
  MergeBody,
  MergeResponse,
  UnmergeResponse,
} from './duplicates.schema.js';

/** Duplicate detection and merge under /api/v1 (thin handlers over src/duplicates services). */
export function dedupeRoutes(detection: DuplicateDetection, merges: MergeService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['duplicates'];
    app.get(
      '/leads/:id/duplicates',
      {
        schema: {
          tags,
          summary: 'Scored duplicate candidates of a lead, with what matched',
          params: IdParams,
          response: { 200: CandidateList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => ({ data: await detection.candidates(requireAuth(req), req.params.id) }),
    );
    app.get(
      '/duplicates',
      {
        schema: {
          tags,
          summary: "The organization's open duplicate groups",
          querystring: GroupQuery,
          response: { 200: GroupList, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => detection.groups(requireAuth(req), req.query),
    );
    app.post(
      '/duplicates/dismiss',
      {
        schema: {
          tags,
          summary: 'Mark two leads as not duplicates',
          body: DismissBody,
          response: { 200: DismissResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => detection.dismiss(requireAuth(req), req.body.lead_ids),
    );
    app.post(
      '/leads/merge',
      {
        schema: {
          tags,
          summary: 'Merge leads into a primary lead (or preview it with dry_run)',
          body: MergeBody,
          response: { 200: MergeResponse, ...errorResponses(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req) => merges.merge(requireAuth(req), req.body),
    );
    app.post(
      '/leads/:id/unmerge',
      {
        schema: {
          tags,
          summary: 'Undo the last merge of a lead while nothing has changed since',
          params: IdParams,
          response: { 200: UnmergeResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => merges.unmerge(requireAuth(req), req.params.id),
    );
  };
}
