import { randomBytes } from 'node:crypto';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { SCOPE_TOKEN } from '@tessera/domain/token/access-claims';
import { CLIENT_GRANTS, type Client, type ClientGrant } from '@tessera/domain/token/client';
import { PLATFORM_SCOPE } from '@tessera/domain/tenant/management-scopes';
import type { AuditLog } from '../ports/audit-log.port';
import type { ClientPage, ClientRepository } from '../tokens/client-repository.port';
import { hashClientSecret } from '../authenticate-client/authenticate-client.use-case';

export interface ClientSpec {
  name: string;
  grants?: string[];
  scopes?: string[];
}

/** 256 random bits; the prefix lets secret scanners recognise a leaked Tessera secret. */
export const newClientSecret = () => `tcs_${randomBytes(32).toString('base64url')}`;

function validate(
  spec: ClientSpec,
  platform = false,
): { name: string; grants: ClientGrant[]; scopes: string[] } {
  const name = spec.name?.trim();
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError('invalid_request', 'a client name is 1-100 printable characters');
  }
  const grants = [...new Set(spec.grants ?? ['client_credentials'])];
  const bad = grants.find((g) => !CLIENT_GRANTS.includes(g as ClientGrant));
  if (bad !== undefined)
    throw new DomainError(
      'invalid_request',
      `unknown grant "${bad.slice(0, 60)}" (allowed: ${CLIENT_GRANTS.join(', ')})`,
    );
  const scopes = [...new Set(spec.scopes ?? [])];
  if (scopes.length > 100 || scopes.some((s) => s.length > 128 || !SCOPE_TOKEN.test(s))) {
    throw new DomainError('invalid_scope', 'scopes are space-separated RFC 6749 scope tokens');
  }
  if (!platform && scopes.includes(PLATFORM_SCOPE)) {
    throw new DomainError('invalid_scope', `${PLATFORM_SCOPE} is only for \`admin client create\``);
  }
  return { name, grants: grants as ClientGrant[], scopes };
}

/** Service clients of a tenant: the secret is shown once, at creation or rotation. */
export class ManageClients {
  constructor(
    private readonly clients: ClientRepository,
    private readonly audit: AuditLog,
  ) {}

  async create(
    tenantId: string,
    spec: ClientSpec,
    actor: string,
    opts: { platform?: boolean } = {},
  ): Promise<{ client: Client; secret: string }> {
    const valid = validate(spec, opts.platform);
    const secret = newClientSecret();
    const client = await this.clients.create({
      tenantId,
      ...valid,
      secretHash: hashClientSecret(secret),
    });
    await this.audit.record({
      tenantId,
      actor,
      action: 'client.create',
      target: client.id,
      details: { name: valid.name },
    });
    return { client, secret };
  }

  async rotateSecret(tenantId: string, clientId: string, actor: string): Promise<string> {
    const secret = newClientSecret();
    if (!(await this.clients.rotateSecret(tenantId, clientId, hashClientSecret(secret))))
      throw unknownClient();
    await this.audit.record({ tenantId, actor, action: 'client.rotate_secret', target: clientId });
    return secret;
  }

  /** Changes grants and/or scopes (the rest kept); validated as at creation. */
  async update(
    tenantId: string,
    clientId: string,
    change: { grants?: string[]; scopes?: string[] },
    actor: string,
  ): Promise<Client> {
    const current = await this.get(tenantId, clientId);
    const valid = validate({
      name: current.name,
      grants: change.grants ?? current.grants,
      scopes: change.scopes ?? current.scopes,
    });
    // A platform client's scope stays; nobody else can be given it.
    if (current.scopes.includes(PLATFORM_SCOPE)) {
      throw new DomainError('invalid_request', 'a platform client is changed with the CLI only');
    }
    if (!(await this.clients.setGrants(tenantId, clientId, valid))) throw unknownClient();
    await this.audit.record({
      tenantId,
      actor,
      action: 'client.update',
      target: clientId,
      details: { grants: valid.grants.join(' '), scopes: valid.scopes.join(' ') },
    });
    return this.get(tenantId, clientId);
  }

  async disable(tenantId: string, clientId: string, actor: string): Promise<void> {
    if (!(await this.clients.disable(tenantId, clientId))) throw unknownClient();
    await this.audit.record({ tenantId, actor, action: 'client.disable', target: clientId });
  }

  list(tenantId: string, page?: ClientPage): Promise<Client[]> {
    return this.clients.list(tenantId, page);
  }

  async get(tenantId: string, clientId: string): Promise<Client> {
    const client = (await this.clients.list(tenantId)).find((c) => c.id === clientId);
    if (!client) throw unknownClient();
    return client;
  }
}

const unknownClient = () => new DomainError('not_found', 'no such client in this tenant');
