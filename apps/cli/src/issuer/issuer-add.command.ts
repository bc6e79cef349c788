import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { emit } from '../output';
import { trustedIssuerView } from '@tessera/application/manage-trusted-issuers/views';
import type { TrustedIssuerSpec } from '@tessera/domain/federation/trusted-issuer';
import { withTrustedIssuers } from './issuer-services';

type Flags = TenantFlags & TrustedIssuerSpec;

@SubCommand({
  name: 'add',
  description: 'trust an external OIDC issuer for token exchange (RFC 8693)',
})
export class IssuerAddCommand extends TenantScopedCommand {
  async run(_: string[], f: Flags): Promise<void> {
    const row = await withTrustedIssuers(f.tenant, (issuers, tenantId) =>
      issuers.add(
        tenantId,
        {
          issuer: f.issuer,
          jwksUri: f.jwksUri,
          audience: f.audience,
          subjectPrefix: f.subjectPrefix,
          scopes: f.scopes,
          role: f.role,
        },
        'cli',
      ),
    );
    emit(Boolean(f.json), trustedIssuerView(row), `trusted issuer ${row.id} added (${row.issuer})`);
  }
  @Option({ flags: '--issuer <url>', required: true, description: 'exact `iss` of its tokens' })
  parseIssuer(v: string): string {
    return v;
  }
  @Option({
    flags: '--jwks-uri <url>',
    required: true,
    description: 'where its signing keys are fetched (never from a token)',
  })
  parseJwksUri(v: string): string {
    return v;
  }
  @Option({
    flags: '--audience <aud>',
    required: true,
    description: 'value the subject token’s aud must contain',
  })
  parseAudience(v: string): string {
    return v;
  }
  @Option({
    flags: '--subject-prefix <prefix>',
    description: 'prepended to the external sub (e.g. "github:")',
  })
  parseSubjectPrefix(v: string): string {
    return v;
  }
  @Option({ flags: '--scopes <scopes>', description: 'space-separated scopes it may be granted' })
  parseScopes(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
  @Option({ flags: '--role <role>', description: 'role claim of the issued tokens' })
  parseRole(v: string): string {
    return v;
  }
}
