import type { FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import type { Session } from './helpers.js';

export const MOUNT = '/compat/entreprise-facile';
export const PASSWORD = 'correct horse battery';

/** HTTP Basic with the user's email (login) and password, as the family's clients send it. */
export const basicOf = (s: Session, password = PASSWORD) => ({
  authorization: `Basic ${Buffer.from(`${s.email}:${password}`).toString('base64')}`,
});

/** A request to the surface; `body` is sent as XML. */
export function efRequest(app: FastifyInstance, s: Session) {
  return (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: string,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url: `${MOUNT}${url}`,
      headers: {
        ...basicOf(s),
        ...(body !== undefined ? { 'content-type': 'application/xml' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: body } : {}),
    });
}

const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: false, attributeNamePrefix: '' });

/** The response body as an object (every value a string, as on the wire). */
export function xml(body: string): Record<string, any> {
  return parser.parse(body);
}

/** A `<lead>` document from element values, escaped. */
export function leadXml(fields: Record<string, string | number>): string {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<lead>\n${Object.entries(fields)
    .map(([k, v]) => `  <${k}>${esc(String(v))}</${k}>`)
    .join('\n')}\n</lead>\n`;
}

/** The `<error field="...">` list of an error body. */
export function errorsOf(body: string): Array<{ field?: string; message: string }> {
  const e = xml(body).errors?.error;
  const list = Array.isArray(e) ? e : e === undefined ? [] : [e];
  return list.map((x: any) =>
    typeof x === 'string' ? { message: x } : { field: x.field, message: x['#text'] ?? '' },
  );
}
