import ms from 'ms';
import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { SCOPE_TOKEN } from '@tessera/domain/token/access-claims';
import { scopesForTargets } from '@tessera/application/resource-servers/resolve-resources';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { CliError, emit } from '../output';

/** Tokens minted without --client name this built-in client. */
export const CLI_CLIENT_ID = 'tessera-cli';
const MAX_TTL_SECONDS = 24 * 3600;

interface Flags extends TenantFlags {
  sub?: string;
  role?: string;
  scopes?: string[];
  ttl?: number;
  client?: string;
  withRefresh?: boolean;
  resources?: string[];
}

@SubCommand({
  name: 'mint',
  description: 'mint an access token (and, with --with-refresh, a refresh token)',
})
export class TokenMintCommand extends TenantScopedCommand {
  async run(_: string[], f: Flags): Promise<void> {
    if (!f.sub || f.sub.length > 255)
      throw new CliError('--sub <subject> is required (at most 255 characters)');
    if (f.withRefresh && !f.client)
      throw new CliError(
        '--with-refresh needs --client <client_id>: a refresh token is bound to a client',
      );
    if (f.resources?.length && !f.client)
      throw new CliError(
        '--resources needs --client <client_id>: resources are allowed per client',
      );
    const minted = await withTokenServices(async (s) => {
      const tenant = await tenantBySlug(s, f.tenant);
      let audience: string[] | undefined;
      if (f.client) {
        const client = (await s.clients.list(tenant.id)).find(
          (c) => c.id === f.client && c.status === 'active',
        );
        if (!client)
          throw new DomainError(
            'invalid_request',
            `no active client ${f.client} in tenant ${tenant.slug}`,
          );
        if (f.withRefresh && !client.grants.includes('refresh_token')) {
          throw new DomainError(
            'invalid_request',
            `client ${client.id} may not use refresh tokens (grant refresh_token)`,
          );
        }
        const targets = await s.resolveResources.execute(client, f.resources ?? []);
        // As at the token endpoint: only scopes the named resource servers offer.
        if (targets && f.scopes) scopesForTargets(targets, f.scopes, []);
        audience = targets?.audience;
      }
      const issue = await s.issuer();
      const out = await issue.execute({
        tenantId: tenant.id,
        subject: f.sub!,
        clientId: f.client ?? CLI_CLIENT_ID,
        role: f.role,
        scopes: f.scopes ?? [],
        ttl: f.ttl,
        grant: 'cli',
        withRefresh: Boolean(f.withRefresh),
        ...(audience ? { audience } : {}),
      });
      await s.audit.record({
        tenantId: tenant.id,
        actor: 'cli',
        action: 'token.mint',
        target: out.jti,
        details: { sub: f.sub! },
      });
      return out;
    });
    emit(
      Boolean(f.json),
      {
        access_token: minted.access_token,
        jti: minted.jti,
        expires_at: minted.expires_at,
        ...(minted.refresh_token ? { refresh_token: minted.refresh_token } : {}),
      },
      `${minted.access_token}\n(jti ${minted.jti}, expires ${minted.expires_at})${minted.refresh_token ? `\nrefresh_token: ${minted.refresh_token}` : ''}`,
    );
  }
  @Option({ flags: '--sub <subject>', required: true })
  parseSub(v: string): string {
    return v;
  }
  @Option({ flags: '--role <role>' })
  parseRole(v: string): string {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(v)) throw new CliError('--role is a short lower-case word');
    return v;
  }
  @Option({ flags: '--scopes <scopes>', description: 'space-separated' })
  parseScopes(v: string): string[] {
    const scopes = v.split(' ').filter(Boolean);
    if (scopes.some((s) => !SCOPE_TOKEN.test(s) || s.length > 128))
      throw new CliError('--scopes are space-separated RFC 6749 scope tokens');
    return scopes;
  }
  @Option({ flags: '--ttl <duration>', description: 'e.g. 15m, 1h (at most 24h)' })
  parseTtl(v: string): number {
    const n = /^\d+$/.test(v) ? Number(v) * 1000 : ms(v as ms.StringValue);
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 1000 || n > MAX_TTL_SECONDS * 1000) {
      throw new CliError('--ttl must be a duration from 1s to 24h, like 15m');
    }
    return Math.round(n / 1000);
  }
  @Option({ flags: '--client <client_id>' })
  parseClient(v: string): string {
    return v;
  }
  @Option({
    flags: '--resources <uris>',
    description: 'space-separated resource servers (RFC 8707): the token’s aud',
  })
  parseResources(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
  @Option({ flags: '--with-refresh' })
  parseWithRefresh(): boolean {
    return true;
  }
}
