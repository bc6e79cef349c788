import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../../options';
import { CliError, emit } from '../../output';
import { mappingView } from '@tessera/application/manage-trusted-issuers/views';
import type { ExchangeMappingSpec } from '@tessera/domain/federation/exchange-mapping';
import { withExchangeMappings } from '../issuer-services';

/** The spec's fields, but `--match`/`--claim` pairs are strings (`claim` is repeatable). */
interface Flags extends TenantFlags, Omit<ExchangeMappingSpec, 'match' | 'claims'> {
  match?: Record<string, string>;
  claim?: Record<string, string>;
}

/** `name=value`, split at the first `=` (values may contain `=`). */
function pair(v: string, prev: Record<string, string> | undefined, flag: string) {
  const i = v.indexOf('=');
  if (i <= 0) throw new CliError(`${flag} takes name=value`);
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
}

@SubCommand({
  name: 'add',
  arguments: '<issuer_id>',
  description: 'add an exchange rule: tokens whose claims match get its scopes, role and claims',
})
export class MappingAddCommand extends TenantScopedCommand {
  async run([issuerId]: string[], f: Flags): Promise<void> {
    const m = await withExchangeMappings(f.tenant, (mappings, tenantId) =>
      mappings.add(
        tenantId,
        issuerId!,
        {
          match: f.match,
          scopes: f.scopes,
          role: f.role,
          claims: f.claim,
          resources: f.resources,
          priority: f.priority,
        },
        'cli',
      ),
    );
    emit(Boolean(f.json), mappingView(m), `exchange mapping ${m.id} added`);
  }
  @Option({
    flags: '--match <path=pattern>',
    description: 'repeatable: a claim (path with /) equal to a value, * matches any run',
  })
  parseMatch(v: string, prev?: Record<string, string>): Record<string, string> {
    return pair(v, prev, '--match');
  }
  @Option({ flags: '--scopes <scopes>', description: 'space-separated scopes granted' })
  parseScopes(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
  @Option({ flags: '--role <role>', description: 'role claim (owner, admin, member, viewer)' })
  parseRole(v: string): string {
    return v;
  }
  @Option({
    flags: '--claim <name=value>',
    description: 'repeatable: an extra claim (names from EXCHANGE_CLAIM_NAMES)',
  })
  parseClaim(v: string, prev?: Record<string, string>): Record<string, string> {
    return pair(v, prev, '--claim');
  }
  @Option({ flags: '--resources <uris>', description: 'space-separated resources allowed (aud)' })
  parseResources(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
  @Option({ flags: '--priority <n>', description: 'lower is tried first (default 100)' })
  parsePriority(v: string): number {
    if (!/^\d{1,5}$/.test(v)) throw new CliError('--priority is an integer from 0 to 10000');
    return Number(v);
  }
}
