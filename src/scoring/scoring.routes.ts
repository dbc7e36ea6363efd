import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { MIN_OUTCOMES, MIN_PER_CLASS } from './model.js';
import type { ScoringService } from './scoring.service.js';
import { ScoringModelResponse, toModelResponse, TrainResponse } from './scoring.schema.js';

export function scoringRoutes(scoring: ScoringService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/scoring/model',
      {
        schema: {
          tags: ['scoring'],
          operationId: 'getScoringModel',
          summary:
            "The organization's lead scoring model: its metrics on a held-out split and the features that matter most, or why it does not score",
          response: { 200: ScoringModelResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => {
        const { row, pending } = await scoring.getModel(requireAuth(req));
        return toModelResponse(row, pending, { minOutcomes: MIN_OUTCOMES, minPerClass: MIN_PER_CLASS });
      },
    );

    app.post(
      '/scoring/train',
      {
        schema: {
          tags: ['scoring'],
          operationId: 'trainScoringModel',
          summary: 'Train the lead scoring model now, in the background (202; follow GET /scoring/model)',
          response: { 202: TrainResponse, ...errorResponses(401, 403) },
        },
      },
      async (req, reply) => reply.code(202).send(await scoring.requestTraining(requireAuth(req))),
    );
  };
}
