import { Option, SubCommand } from 'nest-commander';
import { JsonCommand, type TenantFlags } from '../options';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { isId } from '@tessera/domain/shared/ids';
import { withTokenServices, type TokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { CliError, emit } from '../output';

interface Flags extends TenantFlags {
  client?: string;
  subject?: string;
}

@SubCommand({
  name: 'revoke',
  arguments: '[jti]',
  description:
    'revoke a token by jti, or every token of a client (--client) or subject (--subject) issued until now, on every node',
})
export class TokenRevokeCommand extends JsonCommand {
  async run([jti]: string[], f: Flags): Promise<void> {
    const named = [jti, f.client, f.subject].filter((v) => v !== undefined).length;
    if (named !== 1) {
      throw new CliError('name exactly one of: <jti>, --client <client_id>, --subject <sub>');
    }
    if (jti !== undefined) return this.byJti(jti, f);
    const result = await withTokenServices((s) => revokeAll(s, f));
    emit(
      Boolean(f.json),
      result,
      `revoked every token of ${f.client ? `client ${f.client}` : `subject ${f.subject}`} ` +
        `issued until ${result.issued_before}: ${result.access_tokens_denied} access token(s) ` +
        `denied, ${result.families_revoked} refresh famil${result.families_revoked === 1 ? 'y' : 'ies'} revoked`,
    );
  }

  private async byJti(jti: string, f: Flags): Promise<void> {
    if (!isId('token', jti)) throw new DomainError('invalid_request', 'a jti looks like tok_…');
    if (f.tenant) throw new CliError('--tenant goes with --client or --subject, not a jti');
    const result = await withTokenServices(async (s) => {
      // The operator names a jti, not a tenant: the one lookup that crosses tenants.
      const rows: { tenant_id: string }[] = await s.tx.crossTenant('cli-token-revoke', (em) =>
        em.query('SELECT tenant_id FROM api_tokens WHERE jti = $1', [jti]),
      );
      const tenantId = rows[0]?.tenant_id;
      if (!tenantId) throw new DomainError('not_found', `no token with jti ${jti}`);
      await s.revoker().revokeByJti(tenantId, jti, 'revoked_by_operator', 'cli');
      return { jti, tenant_id: tenantId, revoked: true };
    });
    emit(Boolean(f.json), result, `revoked ${jti}`);
  }

  @Option({ flags: '--client <client_id>', description: 'every token of this client' })
  parseClient(v: string): string {
    return bounded('--client', v);
  }
  @Option({ flags: '--subject <sub>', description: 'every token of this subject (needs --tenant)' })
  parseSubject(v: string): string {
    return bounded('--subject', v);
  }
  @Option({ flags: '--tenant <slug>', description: 'the tenant (--subject; built-in clients)' })
  parseTenant(v: string): string {
    return v;
  }
}

const bounded = (flag: string, v: string): string => {
  if (v.length < 1 || v.length > 255) throw new CliError(`${flag} is 1 to 255 characters`);
  return v;
};

async function revokeAll(s: TokenServices, f: Flags) {
  let tenantId: string;
  if (f.tenant) {
    tenantId = (await tenantBySlug(s, f.tenant)).id;
  } else if (f.subject !== undefined) {
    throw new CliError('--subject needs --tenant <slug>: a subject is named within a tenant');
  } else {
    // A registered client names its tenant; built-in ones (tessera-cli, …) need --tenant.
    const rows: { tenant_id: string }[] = await s.tx.crossTenant('cli-token-revoke', (em) =>
      em.query('SELECT tenant_id FROM clients WHERE id = $1', [f.client]),
    );
    if (!rows[0]) {
      throw new DomainError(
        'not_found',
        `no client ${f.client} (for a built-in client, add --tenant <slug>)`,
      );
    }
    tenantId = rows[0].tenant_id;
  }
  const use = s.revokeAll();
  const r =
    f.client !== undefined
      ? await use.ofClient(tenantId, f.client, 'cli')
      : await use.ofSubject(tenantId, f.subject!, 'cli');
  return {
    tenant_id: tenantId,
    ...(f.client !== undefined ? { client_id: f.client } : { sub: f.subject }),
    issued_before: r.issuedBefore.toISOString(),
    access_tokens_denied: r.accessTokensDenied,
    families_revoked: r.familiesRevoked,
  };
}
