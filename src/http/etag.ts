import { createHash } from 'node:crypto';
import { AppError } from './errors.js';

/**
 * A weak ETag from a resource's JSON, for resources without a version column (users, teams, web-to-lead keys).
 * Same representation, same tag; any visible change gives a new one.
 */
export function contentEtag(dto: unknown): string {
  return `W/"${createHash('sha1').update(JSON.stringify(dto)).digest('base64url').slice(0, 22)}"`;
}

/** 412 when If-Match names none of the current tags (weak comparison: W/ prefixes are ignored). */
export function checkContentIfMatch(what: string, current: unknown, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  const tag = strip(contentEtag(current));
  if (!ifMatch.split(',').some((t) => strip(t) === tag)) {
    throw new AppError('precondition_failed', `${what} has changed since you read it; fetch it again.`);
  }
}
