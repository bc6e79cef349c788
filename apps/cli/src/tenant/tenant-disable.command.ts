import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { withCliDatabase } from '../wiring/cli-database';
import { emit } from '../output';

/** A disabled tenant's tokens stop verifying and its clients stop authenticating. */
@SubCommand({ name: 'disable', arguments: '<slug>', description: 'disable a tenant' })
export class TenantDisableCommand extends JsonCommand {
  async run([slug]: string[], flags: { json?: boolean }): Promise<void> {
    const t = await withCliDatabase(({ tenants }) => tenants.disable(slug!));
    emit(
      Boolean(flags.json),
      { id: t.id, slug: t.slug, status: t.status },
      `disabled tenant ${t.slug} (${t.id})`,
    );
  }
}
