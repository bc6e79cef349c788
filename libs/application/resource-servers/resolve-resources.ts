import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import {
  checkResourceIndicator,
  MAX_RESOURCES,
  type ResourceServer,
} from '@tessera/domain/resource/resource-server';
import type { ResourceServerRepository } from './resource-server-repository.port';

const invalidTarget = (why: string) => new DomainError('invalid_target', why);

/** What a token request's `resource` parameters (RFC 8707 §2) resolve to. */
export interface Targets {
  /** The identifiers, in the order asked: the token's `aud`. */
  audience: string[];
  /** Every scope one of the named resource servers accepts. */
  scopes: Set<string>;
}

/**
 * RFC 8707 at the token endpoint: every resource must be an absolute URI without fragment,
 * registered and active in the client's own tenant, and allowed for this client. Every failure
 * is `invalid_target` with the same description, so a client cannot probe which resource
 * servers other tenants have.
 */
export class ResolveResources {
  constructor(private readonly servers: Pick<ResourceServerRepository, 'findByIdentifier'>) {}

  async execute(client: Client, requested: readonly string[]): Promise<Targets | undefined> {
    if (requested.length === 0) return undefined;
    if (requested.length > MAX_RESOURCES) {
      throw invalidTarget(`at most ${MAX_RESOURCES} resource parameters`);
    }
    const audience = [...new Set(requested.map(checkResourceIndicator))];
    const scopes = new Set<string>();
    for (const identifier of audience) {
      const rs = client.resources?.includes(identifier)
        ? await this.servers.findByIdentifier(client.tenantId, identifier)
        : undefined;
      if (!usable(rs, client)) {
        throw invalidTarget('the resource is unknown, disabled or not allowed for this client');
      }
      for (const s of rs.scopes) scopes.add(s);
    }
    return { audience, scopes };
  }
}

function usable(rs: ResourceServer | undefined, client: Client): rs is ResourceServer {
  return rs !== undefined && rs.status === 'active' && rs.tenantId === client.tenantId;
}

/** Scopes within the named resource servers' scopes (RFC 8707 §2.2: scope is per resource). */
export function scopesForTargets(
  targets: Targets | undefined,
  requested: string[] | undefined,
  grantable: readonly string[],
): string[] {
  if (!targets) return requested ?? [...grantable];
  if (!requested) return grantable.filter((s) => targets.scopes.has(s));
  if (requested.some((s) => !targets.scopes.has(s))) {
    throw new DomainError('invalid_scope', 'the requested scope is not offered by the resource');
  }
  return requested;
}
