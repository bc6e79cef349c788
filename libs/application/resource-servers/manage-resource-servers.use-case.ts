import { DomainError } from '@tessera/domain/shared/domain-error';
import { SCOPE_TOKEN } from '@tessera/domain/token/access-claims';
import {
  checkResourceIndicator,
  type ResourceServer,
} from '@tessera/domain/resource/resource-server';
import type { AuditLog } from '../ports/audit-log.port';
import { hashClientSecret } from '../authenticate-client/authenticate-client.use-case';
import { newClientSecret } from '../manage-clients/manage-clients.use-case';
import type { ResourceServerRepository } from './resource-server-repository.port';

export interface ResourceServerSpec {
  identifier: string;
  scopes?: string[];
}

function checkScopes(scopes: string[]): string[] {
  const unique = [...new Set(scopes)];
  if (unique.length > 100 || unique.some((s) => s.length > 128 || !SCOPE_TOKEN.test(s))) {
    throw new DomainError('invalid_scope', 'scopes are space-separated RFC 6749 scope tokens');
  }
  return unique;
}

/** A tenant's APIs: registering one creates its credentials (secret shown once). */
export class ManageResourceServers {
  constructor(
    private readonly servers: ResourceServerRepository,
    private readonly audit: AuditLog,
  ) {}

  async create(
    tenantId: string,
    spec: ResourceServerSpec,
    actor: string,
  ): Promise<{ server: ResourceServer; secret: string }> {
    const identifier = checkResourceIndicator(spec.identifier ?? '');
    const scopes = checkScopes(spec.scopes ?? []);
    const secret = newClientSecret();
    const server = await this.servers.create({
      tenantId,
      identifier,
      scopes,
      client: {
        name: `resource server ${identifier}`.slice(0, 100),
        secretHash: hashClientSecret(secret),
      },
    });
    await this.audit.record({
      tenantId,
      actor,
      action: 'resource_server.create',
      target: server.id,
      details: { identifier, client_id: server.clientId },
    });
    return { server, secret };
  }

  /** Throws invalid_target unless the identifier names an active resource server here. */
  async check(tenantId: string, identifier: string): Promise<void> {
    const rs = await this.servers.findByIdentifier(tenantId, checkResourceIndicator(identifier));
    if (rs?.status !== 'active') {
      throw new DomainError(
        'invalid_target',
        `no active resource server ${identifier.slice(0, 200)} in this tenant`,
      );
    }
  }

  list(tenantId: string): Promise<ResourceServer[]> {
    return this.servers.list(tenantId);
  }

  async disable(tenantId: string, id: string, actor: string): Promise<void> {
    if (!(await this.servers.disable(tenantId, id))) {
      throw new DomainError('not_found', 'no such resource server in this tenant');
    }
    await this.audit.record({ tenantId, actor, action: 'resource_server.disable', target: id });
  }

  /** Which resource servers a client may ask tokens for; each must be active in its tenant. */
  async allow(
    tenantId: string,
    clientId: string,
    identifiers: string[],
    actor: string,
  ): Promise<string[]> {
    const wanted = [...new Set(identifiers.map(checkResourceIndicator))];
    if (wanted.length > 100) throw new DomainError('invalid_request', 'at most 100 resources');
    for (const id of wanted) await this.check(tenantId, id);
    if (!(await this.servers.setClientResources(tenantId, clientId, wanted))) {
      throw new DomainError('not_found', 'no such client in this tenant');
    }
    await this.audit.record({
      tenantId,
      actor,
      action: 'client.resources',
      target: clientId,
      details: { resources: wanted.join(' ') },
    });
    return wanted;
  }
}
