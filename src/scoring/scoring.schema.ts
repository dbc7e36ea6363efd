import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import type { ScoringModelRow } from './scoring.repository.js';
import type { ColumnImportance } from './model.js';

export const ScoreFactor = Type.Object({
  text: Type.String({ description: 'The factor in words, e.g. "Source is Referral (+)"' }),
  direction: Type.Unsafe<'up' | 'down'>({ type: 'string', enum: ['up', 'down'] }),
  impact: Type.Number({ description: 'Its pull on the log-odds, against the average lead trained on' }),
});

/** The lead response's scoring fields (src/leads/lead.schema.ts spreads them into Lead). */
export const ScoreResponseFields = {
  score: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description:
          "Chance of winning (0-100) from the organization's scoring model; null when the lead is not open or no model is trained (GET /api/v1/scoring/model)",
      }),
    ),
  ),
  score_factors: Type.Optional(
    Type.Array(ScoreFactor, {
      description: 'What pushes the score up (+) and down (-) the most, strongest first; empty when unscored',
    }),
  ),
};

const Pending = Nullable(
  Type.Object(
    { job_id: Type.Integer(), status: Type.String({ description: 'queued or running' }) },
    { description: 'A training run waiting or running now' },
  ),
);

export const ScoringModelResponse = Type.Object({
  status: Type.Unsafe<'none' | 'trained' | 'refused' | 'failed'>({
    type: 'string',
    enum: ['none', 'trained', 'refused', 'failed'],
    description:
      'none: never trained; trained: leads are scored; refused: too little history (see message and counts), leads are not scored; failed: the last run broke',
  }),
  message: Nullable(Type.String()),
  trained_at: Nullable(Type.String({ description: 'When the last run finished' })),
  outcomes: Type.Integer({ description: 'Leads that reached an outcome (won/converted or lost/closed)' }),
  won: Type.Integer(),
  lost: Type.Integer(),
  min_outcomes: Type.Integer(),
  min_per_class: Type.Integer(),
  metrics: Nullable(
    Type.Object(
      {
        auc: Type.Number({ description: 'Area under the ROC curve on the held-out 30%' }),
        precision: Type.Number({ description: 'On the held-out 30%, at the cut-off' }),
        recall: Type.Number({ description: 'On the held-out 30%, at the cut-off' }),
        cutoff: Type.Number({ description: 'Probability from which a lead counts as likely to win' }),
        train_size: Type.Integer(),
        test_size: Type.Integer(),
        training_ms: Type.Integer({ description: 'Time spent fitting (both fits), in the worker thread' }),
        features: Type.Integer({ description: 'Binary features of the model kept' }),
        iterations: Type.Integer({ description: 'Newton steps of the model kept' }),
      },
      { description: 'Measured on a stratified held-out 30% of the outcomes' },
    ),
  ),
  top_features: Type.Array(
    Type.Object({
      column: Type.String(),
      label: Type.String(),
      importance: Type.Number({ description: 'Spread of its contribution to the log-odds over the leads' }),
      strongest_up: Nullable(Type.String()),
      strongest_down: Nullable(Type.String()),
    }),
  ),
  training: Pending,
});
export type ScoringModelDto = Static<typeof ScoringModelResponse>;

export const TrainResponse = Type.Object({
  job_id: Type.Integer(),
  status: Type.String({ description: 'queued or running (a run already under way is not queued twice)' }),
});

export function toModelResponse(
  row: ScoringModelRow | undefined,
  pending: { id: number; status: string } | undefined,
  limits: { minOutcomes: number; minPerClass: number },
): ScoringModelDto {
  const metrics = row?.metrics ? (JSON.parse(row.metrics) as Record<string, number>) : null;
  const importance = row?.importance ? (JSON.parse(row.importance) as ColumnImportance[]) : [];
  return {
    status: (row?.status ?? 'none') as ScoringModelDto['status'],
    message:
      row?.message ??
      (row ? null : 'No model yet: POST /api/v1/scoring/train, or wait for the daily schedule.'),
    trained_at: row?.created_at ?? null,
    outcomes: row?.outcomes ?? 0,
    won: row?.won ?? 0,
    lost: row?.lost ?? 0,
    min_outcomes: limits.minOutcomes,
    min_per_class: limits.minPerClass,
    metrics: metrics
      ? {
          auc: Math.round(metrics.auc * 10000) / 10000,
          precision: Math.round(metrics.precision * 10000) / 10000,
          recall: Math.round(metrics.recall * 10000) / 10000,
          cutoff: Math.round(metrics.cutoff * 10000) / 10000,
          train_size: metrics.train_size,
          test_size: metrics.test_size,
          training_ms: Math.round(metrics.training_ms),
          features: metrics.features ?? 0,
          iterations: metrics.iterations ?? 0,
        }
      : null,
    top_features: importance.slice(0, 10),
    training: pending ? { job_id: pending.id, status: pending.status } : null,
  };
}
