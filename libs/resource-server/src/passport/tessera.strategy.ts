import type { IncomingMessage, ServerResponse } from 'node:http';
import passport from 'passport';
import type { Refusal } from '../core/challenge';
import type { Principal, ResourceServer } from '../core/resource-server';

export type VerifiedCallback = (err: unknown, user?: unknown, info?: unknown) => void;
export type Verify = (principal: Principal, done: VerifiedCallback) => void;

/** An error a passport caller can map to HTTP: the 503 of a feed that is down. */
export class TesseraUnavailableError extends Error {
  readonly status = 503;
  constructor(readonly refusal: Refusal) {
    super(refusal.body.error_description);
    this.name = 'TesseraUnavailableError';
  }
}

export interface TesseraStrategyOptions {
  server: ResourceServer;
  /** Turns the 503 of a feed that is down into the error the app's framework renders. */
  toError?: (refusal: Refusal) => unknown;
  /**
   * Turns a 401 into an error too, instead of a passport challenge (`fail`): a framework that
   * renders a failed challenge itself (@nestjs/passport: `{"statusCode":401,"message":
   * "Unauthorized"}`) would drop the RFC 6750 body. The challenge headers are set either way.
   */
  toChallengeError?: (refusal: Refusal) => unknown;
}

/**
 * `passport.use(new TesseraStrategy({ server }))`, then `passport.authenticate('tessera',
 * { session: false })`: a valid, unrevoked token makes `req.user` the principal. Scopes are the
 * route's business (see the Nest ScopesGuard or `requireScopes`).
 */
export class TesseraStrategy extends passport.Strategy {
  override name = 'tessera';

  constructor(
    private readonly opts: TesseraStrategyOptions,
    private readonly verify?: Verify,
  ) {
    super();
  }

  override authenticate(req: IncomingMessage & { res?: ServerResponse }): void {
    this.opts.server.authenticate(req.headers.authorization).then(
      (outcome) => {
        if (outcome.ok) {
          if (!this.verify) return this.success(outcome.principal);
          return this.verify(outcome.principal, (err, user, info) => {
            if (err) return this.error(err as Error);
            if (!user) return this.fail(typeof info === 'string' ? info : 'Bearer', 401);
            this.success(user, info as object);
          });
        }
        const { refusal } = outcome;
        if (refusal.status === 503) {
          return this.error(
            (this.opts.toError?.(refusal) ?? new TesseraUnavailableError(refusal)) as Error,
          );
        }
        // With a callback (as @nestjs/passport uses) passport does not set the challenge itself.
        for (const [k, v] of Object.entries(refusal.headers)) req.res?.setHeader(k, v);
        const asError = this.opts.toChallengeError?.(refusal);
        if (asError !== undefined) return this.error(asError as Error);
        this.fail(refusal.headers['WWW-Authenticate'], refusal.status);
      },
      (e: unknown) => this.error(e as Error),
    );
  }
}
