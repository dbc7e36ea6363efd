import type { DoneFuncWithErrOrRes, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../access/roles.js';

/**
 * Routes whose success is an audit event although their feature does not record it itself: bulk data leaving or
 * entering the organization. Keyed by "METHOD route-pattern".
 */
const AUDITED: Record<string, { action: string; target?: string }> = {
  'GET /api/v1/leads/export': { action: 'leads.exported' },
  'POST /api/v1/imports/:id/run': { action: 'import.started', target: 'import' },
  'POST /api/v1/imports/:id/revert': { action: 'import.reverted', target: 'import' },
};

type AuditEvent = {
  action: string;
  targetType?: string;
  targetId?: string | number;
  details?: Record<string, unknown>;
};
export type AuditRecorder = (auth: AuthContext, e: AuditEvent) => Promise<void>;

/** DELETE routes whose service records a more specific event itself. */
const SELF_AUDITED_DELETES = new Set([
  '/api/v1/leads/:id',
  '/api/v1/api-keys/:id',
  '/api/v1/web-to-lead-keys/:id',
  '/api/v1/invitations/:id',
]);

/**
 * Records the AUDITED routes, and every other successful DELETE as `resource.deleted` (so a feature's deletions
 * are in the log even when it records nothing itself). A failed write is logged, never fails the response.
 */
export function installAuditTrail(app: FastifyInstance, record: AuditRecorder): void {
  // onSend, not onResponse: the entry is written before the client learns the action succeeded.
  // Synchronous when nothing is recorded (most requests): no promise per request.
  app.addHook(
    'onSend',
    (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: DoneFuncWithErrOrRes) => {
      const event = req.auth && reply.statusCode < 300 ? eventOf(req) : undefined;
      if (!req.auth || !event) return done(null, payload);
      return write(req, req.auth, event, payload);
    },
  );
  async function write(req: FastifyRequest, auth: AuthContext, event: AuditEvent, payload: unknown) {
    try {
      await record(auth, event);
    } catch (err) {
      req.log.error({ err }, 'audit trail write failed');
    }
    return payload;
  }
}

/** The event a successful request records: an AUDITED route, or any other DELETE; undefined for the rest. */
function eventOf(req: FastifyRequest): AuditEvent | undefined {
  const route = req.routeOptions.url ?? '';
  const params = req.params as Record<string, string> | undefined;
  if (req.method === 'DELETE' && !SELF_AUDITED_DELETES.has(route)) {
    const last = route.match(/:(\w+)$/)?.[1];
    return {
      action: 'resource.deleted',
      targetType: route,
      targetId: last ? params?.[last] : undefined,
      details: { path: req.url.split('?')[0] },
    };
  }
  const hit = AUDITED[`${req.method} ${route}`];
  if (!hit) return undefined;
  return {
    action: hit.action,
    targetType: hit.target,
    targetId: hit.target ? params?.id : undefined,
    details: hit.action === 'leads.exported' ? { query: req.query } : {},
  };
}
