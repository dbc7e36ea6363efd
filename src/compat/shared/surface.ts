import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../../access/roles.js';
import { compatAuth, installSurfaceAuth, type CompatAuthenticators, type SurfaceAuth } from './auth.js';
import { installCompatErrors, type Failure } from './errors.js';
import { FieldFaults } from './fields.js';
import { declareOwnedFields, type OwnedFieldSpec, type OwnedFields } from './owned-fields.js';

/**
 * The compat kit: a surface declares itself, and the kit mounts it (docs/compat.md, "Adding a surface").
 * What a surface declares: its name (the namespace of its owned fields), its prefix, its auth forms and where
 * the organization is named, how its envelope renders a failure (fed by the one error classifier), and its
 * owned fields. Then it writes its schemas, its vocabulary mapping and thin handlers in `routes`.
 */
export interface SurfaceDeclaration<Deps> {
  /** a-z0-9: the namespace of the surface's owned fields (`<name>__<key>`). */
  name: string;
  /** Mount point, e.g. `/compat/capillary`. */
  prefix: string;
  auth: SurfaceAuth;
  /** The surface's error envelope. `contentType` defaults to JSON. */
  errors: {
    render(failure: Failure, req: FastifyRequest, reply: FastifyReply): unknown;
    contentType?: string;
  };
  ownedFields?: OwnedFieldSpec[];
  routes(app: FastifyInstance, kit: SurfaceKit, deps: Deps): Promise<void> | void;
}

/** What the kit gives a surface's handlers. */
export interface SurfaceKit {
  readonly name: string;
  readonly fields: OwnedFields;
  /** The caller (401 if the route was public). */
  auth(req: FastifyRequest): AuthContext;
  /** A fault collector for one request, reading zone-less times in the organization's time zone. */
  faults(auth: AuthContext): Promise<FieldFaults>;
}

/** The core functions the kit itself needs (wired in app.ts). */
export interface KitCore {
  authenticators: CompatAuthenticators;
  /** `organizations.time_zone` (null = UTC). */
  orgTimeZone(orgId: number): Promise<string | null>;
}

/**
 * Declares a surface and returns the Fastify plugin to register. Owned fields are declared now (when the
 * server starts), not on a client's first write.
 */
export function defineSurface<Deps>(decl: SurfaceDeclaration<Deps>) {
  const fields = declareOwnedFields(decl.name, decl.ownedFields ?? []);
  return {
    name: decl.name,
    prefix: decl.prefix,
    fields,
    /** Registers the surface under its prefix. */
    async register(parent: FastifyInstance, core: KitCore, deps: Deps): Promise<void> {
      await parent.register(
        async (app) => {
          installSurfaceAuth(app, decl.auth, core.authenticators);
          installCompatErrors(app, (failure, req, reply) => {
            if (decl.errors.contentType) reply.type(decl.errors.contentType);
            return decl.errors.render(failure, req, reply);
          });
          const kit: SurfaceKit = {
            name: decl.name,
            fields,
            auth: compatAuth,
            async faults(auth) {
              return new FieldFaults([], '', await core.orgTimeZone(auth.orgId));
            },
          };
          await decl.routes(app, kit, deps);
        },
        { prefix: decl.prefix },
      );
    },
  };
}
