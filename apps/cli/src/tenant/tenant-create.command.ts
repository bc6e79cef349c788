import { Option, SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { withCliDatabase } from '../wiring/cli-database';
import { emit } from '../output';

@SubCommand({
  name: 'create',
  arguments: '<slug>',
  description: 'create a tenant (slug: lower-case letters, digits, hyphens)',
})
export class TenantCreateCommand extends JsonCommand {
  async run([slug]: string[], flags: { name?: string; json?: boolean }): Promise<void> {
    const t = await withCliDatabase(({ tenants }) => tenants.create(slug!, flags.name ?? slug));
    emit(Boolean(flags.json), { id: t.id, slug: t.slug }, `created tenant ${t.slug} (${t.id})`);
  }

  @Option({ flags: '--name <name>', description: 'display name (default: the slug)' })
  parseName(v: string): string {
    return v;
  }
}
