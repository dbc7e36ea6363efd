import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import type { Mapping } from './mapping.js';
import type { DateOrder } from './parse-values.js';
import type { ImportRow } from './import.repository.js';
import type { ValueMap, ValueSuggestion } from './value-map.js';
import type { ColumnScan, FieldGuess } from './column-scan.js';
import { FIELD_TYPES } from '../pipeline/custom-field.service.js';

export const RunBody = Type.Object(
  {
    mapping: Type.Optional(
      Type.Record(Type.String(), Nullable(Type.String({ maxLength: 100 })), {
        description:
          'Column -> lead field, "custom_fields.<key>", or null to ignore. Defaults to suggested_mapping.',
      }),
    ),
    dedupe: Type.Optional(
      Type.Object(
        {
          on: Type.Array(
            Type.Union([Type.Literal('email'), Type.Literal('phone'), Type.Literal('external_id')]),
            { minItems: 0, maxItems: 3, uniqueItems: true, description: 'Empty: no dedupe' },
          ),
          policy: Type.Union([Type.Literal('skip'), Type.Literal('update'), Type.Literal('create')]),
        },
        { additionalProperties: false },
      ),
    ),
    defaults: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          owner_id: Type.Optional(Type.Integer({ minimum: 1 })),
          tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
          country: Type.Optional(
            Type.String({
              minLength: 2,
              maxLength: 2,
              description: 'Country for phone numbers written without +code',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    null_values: Type.Optional(
      Type.Array(Type.String({ maxLength: 50 }), {
        maxItems: 50,
        description: 'Cell values read as empty, e.g. ["Select", "N/A"]',
      }),
    ),
    date_order: Type.Optional(
      Type.Union([Type.Literal('mdy'), Type.Literal('dmy')], {
        description: 'How to read 01/02/2024 (default mdy)',
      }),
    ),
    dry_run: Type.Optional(Type.Boolean({ description: 'Check every row and count, but write no lead' })),
    value_map: Type.Optional(
      Type.Record(Type.String(), Type.Record(Type.String(), Nullable(Type.String({ maxLength: 200 }))), {
        description:
          'column -> file value -> target: a status key, a user id, "true"/"false", an option, an ISO country, a rating; null ignores the value. Merged over value_suggestions.',
      }),
    ),
    create_fields: Type.Optional(
      Type.Record(
        Type.String(),
        Nullable(
          Type.Object(
            {
              type: Type.Union(FIELD_TYPES.map((t) => Type.Literal(t))),
              label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              options: Type.Optional(
                Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        {
          description:
            'column -> the custom field to create for it (defaults to field_suggestions); null stores the values as undefined text',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RunBodyInput = Static<typeof RunBody>;

/** The run request as stored, with every default filled in. */
export interface RunOptions {
  mapping: Mapping;
  dedupe: { on: Array<'email' | 'phone' | 'external_id'>; policy: 'skip' | 'update' | 'create' } | null;
  defaults: { status?: string; source?: string; owner_id?: number; tags?: string[]; country?: string };
  null_values: string[];
  date_order: DateOrder;
  dry_run: boolean;
  /** The value map in effect: the suggestions with the caller's choices on top. */
  value_map?: ValueMap;
  /** Custom field keys this import defined. */
  created_fields?: string[];
}

const Counts = Type.Object({
  read: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
});

const ValueSuggestions = Type.Array(
  Type.Object({
    column: Type.String(),
    target: Type.String(),
    kind: Type.String({ description: 'status, owner, flag, option, country, rating or text' }),
    values: Type.Array(
      Type.Object({ value: Type.String(), count: Type.Integer(), suggested: Nullable(Type.String()) }),
    ),
    complete: Type.Boolean(),
  }),
  {
    description:
      'For every column mapped to a vocabulary (status, owner, source, rating, country, converted, enum/boolean custom fields): its distinct values, their counts and a suggested target',
  },
);
const FieldSuggestions = Type.Array(
  Type.Object({
    column: Type.String(),
    key: Type.String(),
    type: Type.String(),
    options: Nullable(Type.Array(Type.String())),
  }),
  {
    description: 'Custom fields the run creates for unmapped columns, with the type guessed from the values',
  },
);

export const ValuesBody = Type.Object(
  { mapping: Type.Optional(Type.Record(Type.String(), Nullable(Type.String({ maxLength: 100 })))) },
  { additionalProperties: false },
);
export const ValuesResponse = Type.Object({
  value_suggestions: ValueSuggestions,
  field_suggestions: FieldSuggestions,
});

export const ImportResponse = Type.Object(
  {
    id: Type.Integer(),
    status: Type.String({ description: 'uploaded, queued, running, completed, failed, reverting, reverted' }),
    file_name: Type.String(),
    size_bytes: Type.Integer(),
    format: Type.String({ description: 'csv, xlsx or json (what the bytes are, whatever the name says)' }),
    encoding: Nullable(Type.String()),
    delimiter: Nullable(Type.String()),
    header_row: Type.Integer({ description: 'Row number of the header (leading blank rows are skipped)' }),
    json_path: Nullable(Type.String()),
    header: Type.Array(Type.String()),
    preview_rows: Type.Array(Type.Array(Type.String())),
    suggested_mapping: Type.Record(Type.String(), Nullable(Type.String())),
    unmapped_columns: Type.Array(Type.Object({ column: Type.String(), custom_field: Type.String() })),
    suggested_null_values: Type.Array(Type.String()),
    value_suggestions: Type.Optional(ValueSuggestions),
    field_suggestions: Type.Optional(FieldSuggestions),
    warnings: Type.Array(
      Type.Object({
        column: Type.String(),
        value: Type.String(),
        count: Type.Integer(),
        message: Type.String(),
      }),
      { description: 'Vocabulary values that matched nothing: kept as text in a custom field, counted here' },
    ),
    options: Nullable(Type.Record(Type.String(), Type.Unknown())),
    dry_run: Type.Boolean(),
    counts: Counts,
    percent: Type.Number(),
    rate: Nullable(Type.Number({ description: 'Rows read per second while running' })),
    errors_url: Type.String(),
    failed_rows_url: Type.String({
      description: 'The failed rows as the file had them (every column) plus an "error" column, as CSV',
    }),
    created_by: Nullable(Type.Integer({ description: 'The user who uploaded the file' })),
    created_by_name: Nullable(Type.String()),
    error: Nullable(Type.String()),
    started_at: Nullable(Type.String()),
    finished_at: Nullable(Type.String()),
    reverted_at: Nullable(Type.String()),
    revert: Nullable(Type.Record(Type.String(), Type.Integer())),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { $id: 'Import' },
);
export type ImportDto = Static<typeof ImportResponse>;

export const ImportListResponse = Type.Object({
  data: Type.Array(Type.Ref('Import')),
  next_cursor: Nullable(Type.String()),
});
export const ImportListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

export interface StoredPreview {
  header_row: number;
  json_path: string | null;
  bom_length: number;
  suggested_mapping: Mapping;
  unmapped_columns: Array<{ column: string; custom_field: string }>;
  suggested_null_values: string[];
  /** Distinct values and type hints per column, read at upload (absent for uploads before migration 0130). */
  column_scan?: ColumnScan;
}

export type { FieldGuess };
export type ValueSuggestionDto = ValueSuggestion;

function warningsOf(r: ImportRow): ImportDto['warnings'] {
  if (!r.warnings) return [];
  const w = JSON.parse(r.warnings) as Record<string, Record<string, number>>;
  return Object.entries(w).flatMap(([column, vals]) =>
    Object.entries(vals).map(([value, count]) => ({
      column,
      value,
      count,
      message: `"${value}" matched no ${column} target: ${count} row(s) kept it as text in a custom field`,
    })),
  );
}

export function toImportResponse(r: ImportRow, names?: Map<number, string>): ImportDto {
  const d = JSON.parse(r.detected) as StoredPreview;
  const done = ['completed', 'reverting', 'reverted'].includes(r.status);
  const size = Number(r.size_bytes);
  return {
    id: r.id,
    status: r.status,
    file_name: r.file_name,
    size_bytes: size,
    format: r.format,
    encoding: r.encoding,
    delimiter: r.delimiter,
    header_row: d.header_row,
    json_path: d.json_path,
    header: JSON.parse(r.header),
    preview_rows: JSON.parse(r.preview_rows),
    suggested_mapping: d.suggested_mapping,
    unmapped_columns: d.unmapped_columns,
    suggested_null_values: d.suggested_null_values,
    warnings: warningsOf(r),
    options: r.options ? JSON.parse(r.options) : null,
    dry_run: r.dry_run === 1,
    counts: {
      read: r.rows_read,
      created: r.rows_created,
      updated: r.rows_updated,
      skipped: r.rows_skipped,
      failed: r.rows_failed,
    },
    percent: done
      ? 100
      : size > 0
        ? Math.min(99.9, Math.round((Number(r.bytes_done) / size) * 1000) / 10)
        : 0,
    rate: r.run_seconds > 0 ? Math.round(r.rows_read / r.run_seconds) : null,
    errors_url: `/api/v1/imports/${r.id}/errors.csv`,
    failed_rows_url: `/api/v1/imports/${r.id}/failed-rows.csv`,
    created_by: r.created_by,
    created_by_name: r.created_by !== null ? (names?.get(r.created_by) ?? null) : null,
    error: r.error,
    started_at: r.started_at,
    finished_at: r.finished_at,
    reverted_at: r.reverted_at,
    revert: r.revert_summary ? JSON.parse(r.revert_summary) : null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
