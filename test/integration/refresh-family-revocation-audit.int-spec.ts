import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import type { Denylist } from '@tessera/domain/revocation/denylist.port';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { noopMetrics } from '@tessera/application/ports/metrics.port';
import { RevokeTokenUseCase } from '@tessera/application/revoke-token/revoke-token.use-case';
import { TypeOrmAuditLog } from '@tessera/infrastructure/audit/typeorm-audit-log.adapter';
import { TypeOrmTenantDirectory } from '@tessera/infrastructure/postgres/repositories/typeorm-tenant-directory.adapter';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { TypeOrmRefreshLedger } from '@tessera/infrastructure/tokens/typeorm-refresh-ledger';
import { TypeOrmTokenRecords } from '@tessera/infrastructure/tokens/typeorm-token-records';
import { openAppDataSource } from '@tessera/testing/test-data-source';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/**
 * A family revocation's audit row commits with the revocation itself: a node that dies right
 * after the Postgres commit (before Redis, before anything else) has still left its row, and a
 * repeat of the idempotent revocation adds none.
 */
describe('refresh family revocation: the audit row is written by the revoking transaction', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tx: TenantTransactions;
  let tenant: string;
  let records: TypeOrmTokenRecords;
  let storeFails: boolean;
  let revoke: RevokeTokenUseCase;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase();
    ({ ds, tx } = await openAppDataSource(db, 4));
    tenant = (await new TypeOrmTenantDirectory(tx).create('audit-family', 'Audit family')).id;
    records = new TypeOrmTokenRecords(ds);
    const denylist: Denylist = {
      deny: () => Promise.resolve(),
      isDenied: () => false,
      prune: () => Promise.resolve(0),
    };
    // Redis' marker is the step after the commit: failing it stands for a node that died there.
    const store = {
      revokeFamily: () =>
        storeFails ? Promise.reject(new Error('node died after the commit')) : Promise.resolve([]),
    } as unknown as RefreshStore;
    revoke = new RevokeTokenUseCase(
      {} as TokenVerifier,
      store,
      denylist,
      records,
      noopMetrics,
      new TypeOrmAuditLog(tx),
      30,
      new TypeOrmRefreshLedger(ds),
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function family(): Promise<{ familyId: string; access: string }> {
    const familyId = newId('family');
    const access = newId('token');
    const base = {
      tenantId: tenant,
      subject: 'svc',
      clientId: 'cl_1',
      scopes: [],
      familyId,
      createdVia: 'refresh_token' as const,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 600_000),
    };
    await records.record([
      { ...base, jti: newId('token'), kind: 'refresh' },
      { ...base, jti: access, kind: 'access' },
    ]);
    return { familyId, access };
  }

  const auditRows = (familyId: string) =>
    tx.run(
      (em) =>
        em.query<{ action: string; actor: string; details: Record<string, unknown> }[]>(
          `SELECT action, actor, details FROM tessera.audit_events WHERE target = $1`,
          [familyId],
        ),
      tenant,
    );

  it('a crash right after the commit still leaves exactly one audit row; repeats add none', async () => {
    const { familyId } = await family();
    storeFails = true;
    await expect(revoke.revokeFamily(tenant, familyId, 'refresh_token_reuse')).rejects.toThrow(
      'node died after the commit',
    );
    const rows = await auditRows(familyId);
    expect(rows).toEqual([
      {
        action: 'refresh.reuse_detected',
        actor: 'tessera',
        details: { reason: 'refresh_token_reuse', jtis_denied: 1 },
      },
    ]);

    storeFails = false;
    await revoke.revokeFamily(tenant, familyId, 'refresh_token_reuse');
    await revoke.revokeFamily(tenant, familyId, 'revoked_by_client', 'cl_1');
    expect(await auditRows(familyId)).toHaveLength(1);
  });

  it('a revocation by a client is audited as token.revoke with that client as actor', async () => {
    const { familyId } = await family();
    storeFails = false;
    await revoke.revokeFamily(tenant, familyId, 'revoked_by_client', 'cl_1');
    expect(await auditRows(familyId)).toEqual([
      {
        action: 'token.revoke',
        actor: 'cl_1',
        details: { reason: 'revoked_by_client', jtis_denied: 1 },
      },
    ]);
  });
});
