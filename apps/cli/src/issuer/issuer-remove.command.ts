import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { emit } from '../output';
import { withTrustedIssuers } from './issuer-services';

@SubCommand({
  name: 'remove',
  arguments: '<id>',
  description: 'stop trusting an issuer (its tokens can no longer be exchanged)',
})
export class IssuerRemoveCommand extends TenantScopedCommand {
  async run([id]: string[], f: TenantFlags): Promise<void> {
    await withTrustedIssuers(f.tenant, (issuers, tenantId) => issuers.remove(tenantId, id!, 'cli'));
    emit(Boolean(f.json), { id, removed: true }, `trusted issuer ${id} removed`);
  }
}
