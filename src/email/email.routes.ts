import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { LoginResponse } from '../access/auth.schema.js';
import type { EmailService } from './email.service.js';
import type { PasswordResetService } from './password-reset.service.js';
import * as S from './email.schema.js';

export function emailRoutes(email: EmailService, resets: PasswordResetService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/auth/password-reset',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Email a password reset link (the same answer whether or not the email has an account)',
          security: [],
          body: S.ResetRequestBody,
          response: { 202: S.ResetRequestResponse, ...errorResponses(400, 429) },
        },
      },
      async (req, reply) => reply.code(202).send(await resets.request(req.body, { ip: req.ip })),
    );
    app.post(
      '/auth/password-reset/confirm',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with the emailed token; signs out every other session',
          security: [],
          body: S.ResetConfirmBody,
          response: { 200: LoginResponse, ...errorResponses(400, 422, 429) },
        },
      },
      async (req) => resets.confirm(req.body, { ip: req.ip }),
    );
    app.get(
      '/me/notifications',
      {
        schema: {
          tags: ['email'],
          summary: 'Which notification emails I get in this organization',
          response: { 200: S.NotificationPrefs, ...errorResponses(401, 403) },
        },
      },
      async (req) => email.getPreferences(requireAuth(req)),
    );
    app.patch(
      '/me/notifications',
      {
        config: { allowReadOnly: true },
        schema: {
          tags: ['email'],
          summary: 'Turn notification emails on or off',
          body: S.NotificationPrefsPatch,
          response: { 200: S.NotificationPrefs, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => email.setPreferences(requireAuth(req), req.body),
    );
    app.get(
      '/email/settings',
      {
        schema: {
          tags: ['email'],
          summary: 'Email settings of the organization (language, web-to-lead recipient, delivery)',
          response: { 200: S.EmailSettingsResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => email.getSettings(requireAuth(req)),
    );
    app.patch(
      '/email/settings',
      {
        schema: {
          tags: ['email'],
          summary: 'Change the email settings of the organization',
          body: S.EmailSettingsPatch,
          response: { 200: S.EmailSettingsResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => email.setSettings(requireAuth(req), req.body),
    );
    app.get(
      '/emails',
      {
        schema: {
          tags: ['email'],
          summary: 'The outbox: emails of the organization, newest first, with their delivery state',
          querystring: S.OutboxQuery,
          response: { 200: S.OutboxResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => email.listOutbox(requireAuth(req), req.query),
    );
    app.post(
      '/invitations/:id/resend',
      {
        schema: {
          tags: ['access'],
          summary: 'Email a pending invitation again (with a new link and expiry)',
          params: IdParams,
          response: { 200: S.ResendResponse, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req) => email.resendInvitation(requireAuth(req), req.params.id),
    );
  };
}
