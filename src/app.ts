import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { migrations } from './db/migrations/index.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { AppError, toProblem } from './http/errors.js';
import { installValidators } from './http/validation.js';
import { ProblemSchema } from './http/schemas.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { MAX_JSON_DEPTH, tooDeep } from './http/json-depth.js';
import { completeDocument, installOpenApiQuality } from './http/openapi-quality.js';
import type { RateLimitOptions } from './http/rate-limit.js';
import { LeadResponse } from './leads/lead.schema.js';
import { ImportResponse } from './imports/import.schema.js';
import { classifyError } from './http/error-classifier.js';
import { redactUrl } from './http/log-redaction.js';
import type { EmailOptions } from './email/email.wiring.js';
import { buildCore, type BackgroundOptions } from './wiring/core.js';
import { registerApi } from './wiring/api.js';
import { registerSurfaces } from './wiring/surfaces.js';

export interface BuildAppOptions {
  config: Config;
  db: Db;
  /** Serve the built web app from this folder (defaults to web/dist when it exists). */
  webDir?: string | null;
  /** Overrides of the rate limits (default: from RATE_LIMIT_* environment variables, see docs/security.md). */
  rateLimits?: Partial<RateLimitOptions>;
  /** Email transport, retry policy and digest timer (docs/email.md); tests pass their own. */
  email?: EmailOptions;
  /** Clock, delivery timing and job worker timing of assignment rules and webhooks; tests pass their own. */
  background?: BackgroundOptions;
  /**
   * Tests only (test/helpers.ts): compile each route's validators and response serializers when a request first
   * needs them, not all of them at start-up. The compiled functions are the same; an app compiling the ~220
   * routes' schemas took 7-10 s of CPU, most of an API test file's set-up, for the few routes a file calls.
   * The server (src/main.ts, also run by test/cluster and test/two-nodes) and the test files that call buildApp
   * themselves (backup, jobs, watchdog, ...) compile every schema at start-up, so a schema that does not compile
   * still fails the suite.
   */
  lazySchemas?: boolean;
}

type FastifyReplyLike = {
  code(n: number): { type(t: string): { send(b: unknown): unknown } };
};

const here = path.dirname(fileURLToPath(import.meta.url));
// src/ when run from source, dist/src/ when compiled: web/dist is beside src/ either way.
const DEFAULT_WEB_DIR = [
  path.resolve(here, '..', 'web', 'dist'),
  path.resolve(here, '..', '..', 'web', 'dist'),
].find((d) => fs.existsSync(path.join(d, 'index.html')));

/** Builds the whole application: the core (src/wiring/core.ts), /api/v1 and the surfaces. Tests use it too. */
export async function buildApp({
  config,
  db,
  webDir,
  rateLimits,
  email: emailOptions,
  background,
  lazySchemas = false,
}: BuildAppOptions) {
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // A token sent in the query (surfaces that take one there) never reaches the logs.
            serializers: {
              req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
                host: req.host,
                remoteAddress: req.ip,
              }),
            },
          },
    bodyLimit: 1024 * 1024,
    // A request id in every log line of the request (reqId), sent back as X-Request-Id: the proxy's
    // X-Request-Id when it sent a sane one (nginx: $request_id), else a new UUID (unique across nodes).
    requestIdHeader: false,
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && /^[\w.:-]{1,128}$/.test(h) ? h : randomUUID();
    },
    // Per-request logs cost throughput; they are on at debug level.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    ajv: { customOptions: { removeAdditional: false } },
    ...(lazySchemas
      ? { schemaController: { compilersFactory: { buildSerializer: lazySerializers() } } }
      : {}),
    trustProxy: config.trustProxy,
    // A path parameter past the router's limit: 414 as problem+json, never echoing the path.
    frameworkErrors: (err, _req, reply) => {
      const code = (err as FastifyError).code;
      const problem =
        code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? {
              ...toProblem('bad_request', 'A path parameter is too long.'),
              status: 414,
              title: 'URI too long',
            }
          : toProblem('bad_request', 'The URL is malformed.');
      void (reply as unknown as FastifyReplyLike)
        .code(problem.status)
        .type('application/problem+json')
        .send(problem as never);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await installSecurityHeaders(app as unknown as FastifyInstance, { trustProxy: config.trustProxy });

  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });

  installValidators(app as unknown as FastifyInstance);
  if (lazySchemas) app.addHook('onRoute', lazyValidator);
  // JSON bodies: NUL characters are refused up front (PostgreSQL text cannot hold them, and no real client
  // means to send one), so both databases answer the same clear 400.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '')
      return done(new AppError('bad_request', 'The request body is empty; send a JSON object.'));
    // An escaped NUL is "\\u0000" preceded by an even number of backslashes (an odd one is a literal "\\u0000").
    if (text.includes('\\u0000') && /(^|[^\\])(\\\\)*\\u0000/.test(text)) {
      return done(new AppError('bad_request', 'Text must not contain NUL (\\u0000) characters.'));
    }
    try {
      const parsed = JSON.parse(text);
      if (tooDeep(parsed))
        return done(new AppError('bad_request', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`));
      done(null, parsed);
    } catch (e) {
      done(new AppError('bad_request', `The request body is not valid JSON: ${(e as Error).message}`));
    }
  });
  app.addSchema(ProblemSchema);
  app.addSchema(LeadResponse);

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    // One classifier for /api/v1 and every surface (src/http/error-classifier.ts).
    const c = classifyError(err, req);
    if (c.headers) reply.headers(c.headers);
    const problem = { ...toProblem(c.code, c.detail, c.fieldErrors), status: c.status };
    return reply.code(c.status).type('application/problem+json').send(problem);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Leadflow API',
        version: '1.0.0',
        description: 'Native REST API of Leadflow (JSON, snake_case).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (doc) =>
      completeDocument('openapiObject' in doc ? (doc.openapiObject as never) : (doc.swaggerObject as never)),
    refResolver: {
      buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  installOpenApiQuality(app as unknown as FastifyInstance);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness and database reachability', security: [] } },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(db.kysely);
        return { status: 'ok', database: 'ok', dialect: db.dialect };
      } catch {
        return reply.code(503).send({ status: 'error', database: 'unreachable', dialect: db.dialect });
      }
    },
  );

  // Readiness (load balancers): the database answers and has every migration this build knows.
  const known = Object.keys(migrations);
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: database reachable and migrations current',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), migrations: Type.Integer() }),
          503: Type.Object({
            status: Type.Literal('not_ready'),
            database: Type.String({ description: 'ok or unreachable' }),
            pending_migrations: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (_req, reply) => {
      let applied: Set<string>;
      try {
        const r = await sql<{ name: string }>`select name from kysely_migration`.execute(db.kysely);
        applied = new Set(r.rows.map((x) => x.name));
      } catch {
        return reply.code(503).send({ status: 'not_ready', database: 'unreachable', pending_migrations: [] });
      }
      const pending = known.filter((m) => !applied.has(m));
      if (pending.length)
        return reply.code(503).send({ status: 'not_ready', database: 'ok', pending_migrations: pending });
      return { status: 'ready' as const, migrations: known.length };
    },
  );

  // The core (services over the database), then /api/v1, then the compatible surfaces.
  const core = buildCore({ config, db, log: app.log, rateLimits, email: emailOptions, background });
  app.addSchema(ImportResponse);
  app.addHook('onReady', async () => core.jobQueue.start());
  app.addHook('onClose', async () => core.jobQueue.stop());
  app.addHook('onReady', async () => core.email.start());
  app.addHook('onClose', async () => core.email.stop());
  app.addHook('onReady', async () => core.scoring.start());
  app.addHook('onClose', async () => core.scoring.stop());
  app.addHook('onClose', async () => core.counters.close());
  app.decorate('email', core.email);
  app.decorate('background', {
    webhooks: core.webhooks.service,
    assignment: core.assignment,
    jobs: core.jobQueue,
  });
  await registerApi(app as unknown as FastifyInstance, core);
  await registerSurfaces(app as unknown as FastifyInstance, core);

  const staticDir = webDir === undefined ? (DEFAULT_WEB_DIR ?? null) : webDir;
  const hasWeb = staticDir !== null && fs.existsSync(path.join(staticDir, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: staticDir!, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    if (hasWeb && req.method === 'GET' && !url.startsWith('/api/') && !url.startsWith('/compat/')) {
      return reply.type('text/html').sendFile('index.html');
    }
    if (url === '/' && !hasWeb) {
      return reply
        .type('text/plain')
        .send(
          'Leadflow API is running. The web app is not built yet: run `npm run build:web`. API docs: /docs',
        );
    }
    return reply
      .code(404)
      .type('application/problem+json')
      .send(toProblem('not_found', `No route ${req.method} ${url}. See /docs for the API.`));
  });

  return app;
}

type AnyFn = (...args: never[]) => unknown;

/** The default response serializer compiler (fast-json-stringify), each serializer built on its first use. */
function lazySerializers() {
  const factory = SerializerSelector();
  return (externalSchemas?: unknown, options?: Parameters<typeof factory>[1]) => {
    const compile = factory(externalSchemas, options);
    return (route: Parameters<typeof compile>[0]) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc: unknown) => (serialize ??= compile(route))(doc);
    };
  };
}

/**
 * Wraps the route's validator compiler (installValidators sets one on every route, in the onRoute hook before this
 * one) so that each validator is compiled on its first call; Fastify reads a failed validation's `errors` from
 * the function it holds, so they are copied over after each call.
 */
function lazyValidator(route: RouteOptions) {
  const compile = route.validatorCompiler;
  if (!compile) return;
  route.validatorCompiler = (def) => {
    let validate: (AnyFn & { errors?: unknown }) | undefined;
    const lazy = ((data: unknown) => {
      validate ??= compile(def) as unknown as AnyFn & { errors?: unknown };
      const result = (validate as (d: unknown) => unknown)(data);
      lazy.errors = validate.errors;
      return result;
    }) as ((data: unknown) => unknown) & { errors?: unknown };
    return lazy as never;
  };
}
