import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { isId } from '@tessera/domain/shared/ids';
import { withTokenServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({
  name: 'revoke',
  arguments: '<jti>',
  description: 'revoke a token by jti on every node',
})
export class TokenRevokeCommand extends JsonCommand {
  async run([jti]: string[], f: { json?: boolean }): Promise<void> {
    if (!isId('token', jti)) throw new DomainError('invalid_request', 'a jti looks like tok_…');
    const result = await withTokenServices(async (s) => {
      // The operator names a jti, not a tenant: the one lookup that crosses tenants.
      const rows: { tenant_id: string }[] = await s.tx.crossTenant('cli-token-revoke', (em) =>
        em.query('SELECT tenant_id FROM api_tokens WHERE jti = $1', [jti]),
      );
      const tenantId = rows[0]?.tenant_id;
      if (!tenantId) throw new DomainError('not_found', `no token with jti ${jti}`);
      await s.revoker().revokeByJti(tenantId, jti!, 'revoked_by_operator', 'cli');
      return { jti, tenant_id: tenantId, revoked: true };
    });
    emit(Boolean(f.json), result, `revoked ${jti}`);
  }
}
