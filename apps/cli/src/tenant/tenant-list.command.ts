import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { withCliDatabase } from '../wiring/cli-database';
import { emit } from '../output';

@SubCommand({ name: 'list', description: 'list every tenant' })
export class TenantListCommand extends JsonCommand {
  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const list = await withCliDatabase(({ tenants }) => tenants.list());
    const rows = list.map((t) => ({
      id: t.id,
      slug: t.slug,
      name: t.name,
      status: t.status,
      created_at: t.createdAt.toISOString(),
    }));
    emit(
      Boolean(flags.json),
      { tenants: rows },
      rows.length
        ? rows.map((t) => `${t.slug}  ${t.id}  ${t.status}  ${t.name}`).join('\n')
        : 'no tenants',
    );
  }
}
