import { AppError, type FieldError } from '../../http/errors.js';
import { parseClientTime, type ClientTime } from './time.js';

/**
 * Collects every fault of a request with the caller's own field path (`statusLogDetails.1.reasonId`), so one
 * answer names them all and nothing is written before they are all known. `at(prefix)` gives a view that
 * prefixes its paths (for an item of a list); all views share one list.
 */
export class FieldFaults {
  constructor(
    readonly list: FieldError[] = [],
    private readonly prefix = '',
    /** The organization's time zone for zone-less times (null = UTC). */
    readonly timeZone: string | null = null,
  ) {}

  /** A view whose paths start with `prefix.` (e.g. `at('statusLogDetails', 1)`). */
  at(...parts: Array<string | number>): FieldFaults {
    return new FieldFaults(this.list, this.path(parts.join('.')), this.timeZone);
  }

  path(field: string): string {
    return this.prefix ? (field ? `${this.prefix}.${field}` : this.prefix) : field;
  }

  add(field: string, message: string): void {
    this.list.push({ field: this.path(field), message });
  }

  /** Takes the faults of a core AppError (or rethrows anything else), renaming its fields under this view. */
  absorb(err: unknown, rename: (field: string) => string = (f) => f): void {
    if (!(err instanceof AppError) || (err.status !== 422 && err.status !== 400)) throw err;
    if (err.errors?.length) for (const e of err.errors) this.add(rename(e.field), e.message);
    else this.add('', err.detail);
  }

  /** A client time (see time.ts); a fault when it does not parse. */
  time(field: string, value: string | undefined): ClientTime | undefined {
    if (value === undefined) return undefined;
    const t = parseClientTime(value, this.timeZone);
    if ('error' in t) {
      this.add(field, t.error);
      return undefined;
    }
    return t;
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  /** One 422 naming every fault, if there is any. */
  throwIfAny(): void {
    if (this.list.length)
      throw new AppError(
        'unprocessable',
        this.list.map((e) => `${e.field}: ${e.message}`).join('; '),
        this.list,
      );
  }
}
