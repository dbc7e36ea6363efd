import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../http/errors.js';

/**
 * XML in and out for seed 001, with fast-xml-parser. Safe by construction: a DOCTYPE (the only way to declare
 * entities, internal or external) is refused before parsing, so there is no XXE and no entity expansion
 * (billion laughs); only the five XML entities and numeric character references are read.
 */

const parser = new XMLParser({
  ignoreAttributes: true, // Rails-style type="integer" / nil="true" attributes carry nothing we need
  parseTagValue: false, // every value stays the string the client wrote; the mapping converts it
  trimValues: false, // text keeps its spaces; whitespace between elements is dropped below
  processEntities: true, // &amp; &lt; ... and &#233; (no DOCTYPE can reach the parser, so nothing more)
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: true,
  suppressEmptyNode: false,
});

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The XML entities a body may use: the five predefined ones and character references. */
const KNOWN_ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});/i;

function bad(message: string): AppError {
  return new AppError('bad_request', message);
}

/** The one root element of a body and its children (strings, or objects/arrays for what is not plain text). */
export interface XmlDocument {
  root: string;
  /** Its child elements by name (an array when repeated, an object when nested); text in `#text`. */
  children: Record<string, unknown>;
}

/**
 * Parses a request body. 400 for an empty body, a DOCTYPE or ENTITY declaration, an entity XML does not
 * define, malformed XML or several root elements.
 */
export function parseXml(body: string): XmlDocument {
  if (body.trim() === '')
    throw bad('The request body is empty; send an XML document such as <lead>...</lead>.');
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body))
    throw bad('DOCTYPE and ENTITY declarations are not accepted (no DTDs, no entity expansion).');
  // Outside CDATA sections, every & starts one of the entities XML itself defines.
  const outsideCdata = body.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (let i = outsideCdata.indexOf('&'); i !== -1; i = outsideCdata.indexOf('&', i + 1)) {
    if (!KNOWN_ENTITY.test(outsideCdata.slice(i, i + 12))) {
      const near = outsideCdata.slice(i, i + 12).split(/\s/)[0];
      throw bad(`The XML is not well-formed: "${near}" is not an XML entity (write & as &amp;).`);
    }
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true)
    throw bad(
      `The XML is not well-formed (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`,
    );
  const doc = parser.parse(body) as Record<string, unknown>;
  const roots = Object.keys(doc);
  if (roots.length !== 1) throw bad('The XML must have exactly one root element, e.g. <lead>.');
  if (Array.isArray(doc[roots[0]])) throw bad('The XML must have exactly one root element, e.g. <lead>.');
  const content = doc[roots[0]];
  const children: Record<string, unknown> =
    content !== null && typeof content === 'object'
      ? { ...(content as Record<string, unknown>) }
      : { '#text': String(content ?? '') };
  // Whitespace between elements (indentation) is not content; other text beside elements is.
  if (typeof children['#text'] === 'string' && children['#text'].trim() === '') delete children['#text'];
  return { root: roots[0], children };
}

/** Renders an object as an XML document (entities escaped, UTF-8 declared). */
export function renderXml(root: string, content: unknown): string {
  return DECLARATION + (builder.build({ [root]: content }) as string);
}

/** Media types this surface reads and writes. */
export const XML_TYPES = ['application/xml', 'text/xml'] as const;
