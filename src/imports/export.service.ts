import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { LeadService } from '../leads/lead.service.js';
import type { LeadDto, LeadListQueryInput } from '../leads/lead.schema.js';
import type { ImportRepository } from './import.repository.js';
import { csvCell } from './import.service.js';

/**
 * Export columns use the lead field names, so an exported file maps back onto itself when imported
 * (see suggestMapping). `leadflow_id` is informative: importing creates new leads with new ids.
 */
const COLUMNS: Array<[string, (l: LeadDto) => string | number | null]> = [
  ['leadflow_id', (l) => l.id],
  ['external_id', (l) => l.external_id],
  ['first_name', (l) => l.first_name],
  ['last_name', (l) => l.last_name],
  ['civility', (l) => l.civility],
  ['title', (l) => l.title],
  ['job_title', (l) => l.job_title],
  ['email', (l) => l.email],
  ['phone', (l) => l.phone],
  ['mobile', (l) => l.mobile],
  ['company_name', (l) => l.company_name],
  ['website', (l) => l.website],
  ['source', (l) => l.source],
  ['status', (l) => l.status],
  ['owner', (l) => l.owner_id],
  ['value', (l) => l.value],
  ['currency', (l) => l.currency],
  ['probability', (l) => l.probability],
  ['rating', (l) => l.rating],
  ['priority', (l) => l.priority],
  ['importance', (l) => l.importance],
  ['description', (l) => l.description],
  ['address_line1', (l) => l.address.line1],
  ['address_line2', (l) => l.address.line2],
  ['city', (l) => l.address.city],
  ['state', (l) => l.address.state],
  ['postal_code', (l) => l.address.postal_code],
  ['country', (l) => l.address.country],
  ['locale', (l) => l.locale],
  ['birth_date', (l) => l.birth_date],
  ['expected_close_date', (l) => l.expected_close_date],
  ['tags', (l) => l.tags.join(', ')],
  ['created_at', (l) => l.created_at],
];

const PAGE = 500;
/** Excel's column limit (XFD). */
export const XLSX_MAX_COLUMNS = 16_384;
/** The last XLSX column when custom fields do not fit: the remaining ones as a JSON object. */
export const SPILL_COLUMN = 'cf._more_json';

export type ExportFormat = 'csv' | 'xlsx';

export function createExportService({ leads, imports }: { leads: LeadService; imports: ImportRepository }) {
  return {
    /**
     * Streams every lead matching the list filters. The first page is read before anything is sent,
     * so a bad filter is still a clean 4xx.
     */
    async export(
      auth: AuthContext,
      query: LeadListQueryInput & Record<string, unknown>,
      format: ExportFormat,
    ): Promise<Readable> {
      assertCan(auth, 'leads:export');
      // Exporting reads the leads it exports: an export-only API key reads them here, and nowhere else.
      if (auth.kind === 'api_key' && !auth.scopes?.includes('leads:read'))
        auth = { ...auth, scopes: [...(auth.scopes ?? []), 'leads:read'] };
      const filters = { ...query, sort: 'created_at' as const, limit: PAGE, include_total: false };
      delete (filters as Record<string, unknown>).cursor;
      delete (filters as Record<string, unknown>).format;
      const first = await leads.list(auth, filters as never);
      const allKeys = await imports.customFieldKeys(auth.orgId);
      // XLSX holds at most 16,384 columns: custom fields past that go, as JSON, into one last column, so the
      // export never fails on data the API accepted (CSV has no such limit).
      const room = XLSX_MAX_COLUMNS - COLUMNS.length - 1;
      const spill = format === 'xlsx' && allKeys.length > room;
      const cfKeys = spill ? allKeys.slice(0, room) : allKeys;
      const spilled = spill ? allKeys.slice(room) : [];
      const header = [
        ...COLUMNS.map(([c]) => c),
        ...cfKeys.map((k) => `cf.${k}`),
        ...(spill ? [SPILL_COLUMN] : []),
      ];
      const spillCell = (l: LeadDto) => {
        const rest: Record<string, unknown> = {};
        for (const k of spilled) if (l.custom_fields[k] !== undefined) rest[k] = l.custom_fields[k];
        return Object.keys(rest).length ? JSON.stringify(rest) : '';
      };
      const toRow = (l: LeadDto) => [
        ...COLUMNS.map(([, get]) => {
          const v = get(l);
          return v === null || v === undefined ? '' : String(v);
        }),
        ...cfKeys.map((k) => {
          const v = l.custom_fields[k];
          return v === null || v === undefined ? '' : String(v);
        }),
        ...(spill ? [spillCell(l)] : []),
      ];
      async function* pages(): AsyncGenerator<LeadDto[]> {
        let page = first;
        yield page.data;
        while (page.next_cursor) {
          page = await leads.list(auth, { ...filters, cursor: page.next_cursor } as never);
          yield page.data;
        }
      }
      if (format === 'csv') {
        return Readable.from(
          (async function* () {
            // A BOM so Excel opens the UTF-8 file with the right accents.
            yield '\uFEFF' + header.map(csvCell).join(',') + '\r\n';
            for await (const data of pages()) {
              if (data.length) yield data.map((l) => toRow(l).map(csvCell).join(',')).join('\r\n') + '\r\n';
            }
          })(),
        );
      }
      const out = new PassThrough();
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: out,
        useSharedStrings: false,
        useStyles: false,
      });
      const ws = wb.addWorksheet('Leads');
      void (async () => {
        try {
          ws.addRow(header).commit();
          for await (const data of pages()) for (const l of data) ws.addRow(toRow(l)).commit();
          ws.commit();
          await wb.commit();
        } catch (err) {
          out.destroy(err as Error);
        }
      })();
      return out;
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
