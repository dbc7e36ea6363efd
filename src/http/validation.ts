import { Ajv, type Options } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';

type FastifyValidatorCompiler = FastifySchemaCompiler<unknown>;
import type { FieldError } from './errors.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    ...opts,
  });
  addFormats(ajv);
  // TypeBox marks its schemas with these keywords.
  ajv.addKeyword({ keyword: 'x-nullable' });
  return ajv;
}

/**
 * Bodies are validated as sent (a string is never coerced into a number: wrong types are errors);
 * querystrings and params arrive as text, so they are coerced.
 */
export function installValidators(app: FastifyInstance): void {
  const bodyAjv = makeAjv({ coerceTypes: false });
  const queryAjv = makeAjv({ coerceTypes: 'array' });
  const compiler: FastifyValidatorCompiler = ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : queryAjv;
    const validate = ajv.compile(schema as FastifySchema & object);
    if (httpPart === 'body') return validate;
    return noNul(strictNumbers(schema as SchemaLike, validate as unknown as Validate));
  };
  app.setValidatorCompiler(compiler);
  // Fastify forgets a compiler set this way in any plugin that calls addSchema (its child schema controller
  // rebuilds a stock Ajv compiler from the server options), so such a plugin's routes skipped the checks above:
  // GET /leads/bulk/Infinity reached PostgreSQL as a number and was a 500. Every route gets it explicitly.
  app.addHook('onRoute', (route) => {
    if (!route.validatorCompiler) route.validatorCompiler = compiler;
  });
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns Ajv's errors into [{ field, message }] with dotted field paths. */
export function fieldErrorsFromValidation(errors: AjvLikeError[], context: string | undefined): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required' && e.params?.missingProperty) {
      field = field ? `${field}.${String(e.params.missingProperty)}` : String(e.params.missingProperty);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties' && e.params?.additionalProperty) {
      field = field ? `${field}.${String(e.params.additionalProperty)}` : String(e.params.additionalProperty);
      message = 'is not a known field';
    } else if (e.keyword === 'format') {
      message = `must be a valid ${String(e.params?.format)}`;
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      // The branch errors already say what was wrong; keep this one only if nothing else names the field.
      if (out.some((o) => o.field === field)) continue;
    }
    if (!field) field = context === 'querystring' ? 'query' : context === 'params' ? 'path' : 'body';
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

type SchemaLike = { properties?: Record<string, SchemaLike>; type?: string | string[]; anyOf?: SchemaLike[] };
type Validate = ((data: unknown) => boolean) & { errors?: never[] | null };

function numericKind(s: SchemaLike | undefined): 'integer' | 'number' | null {
  if (!s) return null;
  const types = [s.type, ...(s.anyOf ?? []).map((a) => a.type)].flat();
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  return null;
}

// Plain decimal; `-0` is refused too (it is no id, and Ajv would read it as 0 past a `minimum: 0`).
const INTEGER_TEXT = /^(?!-0+$)-?\d{1,15}$/;
const NUMBER_TEXT = /^-?\d{1,15}(\.\d{1,15})?$/;

/**
 * Query and path numbers must be written in plain decimal: Ajv's coercion would take `Infinity`, `1e400` or `0x1`
 * as numbers (issue 12), `1.5` is no integer and `-0` no id. Checked before coercion, with Ajv's error shape so the 400 names the field.
 */
function strictNumbers(schema: SchemaLike, validate: Validate): Validate {
  const numeric = Object.entries(schema.properties ?? {})
    .map(([k, p]) => [k, numericKind(p)] as const)
    .filter(([, kind]) => kind !== null);
  if (numeric.length === 0) return validate;
  const wrapped: Validate = (data: unknown) => {
    if (data && typeof data === 'object') {
      for (const [k, kind] of numeric) {
        const raw = (data as Record<string, unknown>)[k];
        const values = Array.isArray(raw) ? raw : [raw];
        for (const v of values) {
          if (typeof v !== 'string') continue;
          if (!(kind === 'integer' ? INTEGER_TEXT : NUMBER_TEXT).test(v)) {
            wrapped.errors = [
              {
                instancePath: `/${k}`,
                keyword: 'type',
                params: { type: kind },
                message: `must be ${kind === 'integer' ? 'an integer' : 'a number'} in decimal digits`,
              },
            ] as never[];
            return false;
          }
        }
      }
    }
    const ok = validate(data);
    wrapped.errors = validate.errors as never[] | null | undefined;
    return ok;
  };
  return wrapped;
}

/** A NUL (`%00`) in a path or query value is a 400 naming it: PostgreSQL text cannot hold one (it was a 500). */
function noNul(validate: Validate): Validate {
  const wrapped: Validate = (data: unknown) => {
    if (data && typeof data === 'object') {
      for (const [k, raw] of Object.entries(data as Record<string, unknown>)) {
        const values = Array.isArray(raw) ? raw : [raw];
        if (values.some((v) => typeof v === 'string' && v.includes('\u0000'))) {
          wrapped.errors = [
            {
              instancePath: `/${k}`,
              keyword: 'pattern',
              params: {},
              message: 'must not contain NUL characters',
            },
          ] as never[];
          return false;
        }
      }
    }
    const ok = validate(data);
    wrapped.errors = validate.errors;
    return ok;
  };
  return wrapped;
}
