import { Option, SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { withCliDatabase } from '../wiring/cli-database';
import { emit } from '../output';
import { cliTenantKeys } from '../keys/tenant-key-store';

@SubCommand({
  name: 'create',
  arguments: '<slug>',
  description: 'create a tenant (slug: lower-case letters, digits, hyphens)',
})
export class TenantCreateCommand extends JsonCommand {
  async run([slug]: string[], flags: { name?: string; json?: boolean }): Promise<void> {
    const t = await withCliDatabase(async (db) => {
      const tenant = await db.tenants.create(slug!, flags.name ?? slug);
      // Its first key now, active at once (no verifier can have cached its JWKS yet), so its
      // first token request pays no key generation (docs/tenant-issuers.md).
      if (db.cfg.issuerMode === 'tenant') await cliTenantKeys(db).ensureKey(tenant.id);
      return tenant;
    });
    emit(Boolean(flags.json), { id: t.id, slug: t.slug }, `created tenant ${t.slug} (${t.id})`);
  }

  @Option({ flags: '--name <name>', description: 'display name (default: the slug)' })
  parseName(v: string): string {
    return v;
  }
}
