import { Body, Get, Inject, Logger, Param } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { AuditAction, AuditEvent, AuditLog } from '@tessera/application/ports/audit-log.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { SIGNING_ALGS, type SigningAlg } from '@tessera/domain/token/token-signer.port';
import {
  databaseKeyOptions,
  usesDatabaseKeys,
  type DatabaseKeyOptions,
} from '@tessera/infrastructure/crypto/database-key-ring';
import { listKeys, retireKey, rotateKey } from '@tessera/infrastructure/crypto/key-rotation';
import { jsonBody, optString } from './body';
import { PlatformOnly } from './management-auth.guard';
import { ManagementController, PostAction, PostCreate } from './management-controller';
import { Principal, type ManagementPrincipal } from './management-principal';

const KID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * The platform's signing keys in the database key store, as `keys list|rotate|retire` in the
 * CLI (same functions). Platform only: one key set signs for every tenant. Each node picks up
 * a change within KEY_RELOAD_INTERVAL.
 */
@ManagementController('keys')
@PlatformOnly()
export class KeysController {
  private readonly log = new Logger('Keys');

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly ds: DataSource,
    @Inject(DI.AuditLog) private readonly audit: AuditLog,
  ) {}

  private options(): DatabaseKeyOptions {
    if (!usesDatabaseKeys(this.cfg)) {
      throw new DomainError(
        'conflict',
        'keys are files (SIGNING_KEYS_DIR) on this server: they rotate through keys.json (docs/keys.md)',
      );
    }
    return databaseKeyOptions(this.cfg, {
      log: (m) => this.log.log(m),
      warn: (m) => this.log.warn(m),
    });
  }

  @Get()
  async list() {
    return { items: await listKeys(this.ds, this.options()), next_cursor: null };
  }

  @PostCreate('rotate')
  async rotate(@Principal() p: ManagementPrincipal, @Body() raw: unknown) {
    const b = jsonBody(raw ?? {}, ['alg']);
    const alg = (optString(b, 'alg') ?? 'RS256') as SigningAlg;
    if (!SIGNING_ALGS.includes(alg)) {
      throw new DomainError('invalid_request', `alg is one of ${SIGNING_ALGS.join(', ')}`);
    }
    const key = await rotateKey(this.ds, this.options(), alg);
    return this.audited(p, 'key.rotate', key, { alg, status: key.status });
  }

  @PostAction(':kid/retire')
  async retire(@Principal() p: ManagementPrincipal, @Param('kid') kid: string) {
    if (!KID.test(kid)) throw new DomainError('not_found', 'no such signing key');
    const key = await retireKey(this.ds, this.options(), kid);
    return this.audited(p, 'key.retire', key, { alg: key.alg });
  }

  /** One key set signs for every tenant: a global event (no tenant), targeting the kid. */
  private async audited<K extends { kid: string }>(
    p: ManagementPrincipal,
    action: AuditAction,
    key: K,
    details: AuditEvent['details'],
  ): Promise<K> {
    await this.audit.record({ tenantId: null, actor: p.actor, action, target: key.kid, details });
    return key;
  }
}
