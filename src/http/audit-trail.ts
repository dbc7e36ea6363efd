import type { FastifyInstance, FastifyRequest } from 'fastify';
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

export type AuditRecorder = (
  auth: AuthContext,
  e: { action: string; targetType?: string; targetId?: string | number; details?: Record<string, unknown> },
) => Promise<void>;

/** Records the AUDITED routes after a successful response (never delays or fails the response). */
export function installAuditTrail(app: FastifyInstance, record: AuditRecorder): void {
  app.addHook('onResponse', async (req: FastifyRequest, reply) => {
    if (!req.auth || reply.statusCode >= 300) return;
    const hit = AUDITED[`${req.method} ${req.routeOptions.url}`];
    if (!hit) return;
    const params = req.params as Record<string, string> | undefined;
    try {
      await record(req.auth, {
        action: hit.action,
        targetType: hit.target,
        targetId: hit.target ? params?.id : undefined,
        details: hit.action === 'leads.exported' ? { query: req.query } : {},
      });
    } catch (err) {
      req.log.error({ err }, 'audit trail write failed');
    }
  });
}
