import { ensureBuilt } from '@tessera/testing/build';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import { TypeOrmAuditLog } from '@tessera/infrastructure/audit/typeorm-audit-log.adapter';
import { TypeOrmAuditTrail } from '@tessera/infrastructure/audit/typeorm-audit-trail';
import { RequestContext } from '@tessera/infrastructure/http/request-context';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TypeOrmTenantDirectory } from '@tessera/infrastructure/postgres/repositories/typeorm-tenant-directory.adapter';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { spawnCli } from '@tessera/testing/cli-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

describe('audit log (audit_events, RLS-scoped)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tx: TenantTransactions;
  let acme: Tenant;
  let globex: Tenant;
  let audit: TypeOrmAuditLog;
  let trail: TypeOrmAuditTrail;

  beforeAll(async () => {
    // The failures below are logged by design; the test need not print them.
    Logger.overrideLogger(false);
    db = await createTestDatabase();
    ds = createDataSource({ url: db.appUrl, poolSize: 4 });
    await ds.initialize();
    tx = new TenantTransactions(ds);
    const tenants = new TypeOrmTenantDirectory(tx);
    acme = await tenants.create('acme-audit');
    globex = await tenants.create('globex-audit');
    audit = new TypeOrmAuditLog(tx);
    trail = new TypeOrmAuditTrail(tx);
  }, 30_000);
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('record() appends an evt_ row to the tenant’s trail; credential-looking details are dropped', async () => {
    await audit.record({
      tenantId: acme.id,
      actor: 'cli_123',
      action: 'token.revoke',
      target: 'tok_abc',
      requestId: 'req-1',
      details: { reason: 'user asked', client_secret: 'never-stored', refresh_token: 'nope' },
    });
    const [e] = await trail.tail(acme.id, 10);
    expect(e).toMatchObject({
      actor: 'cli_123',
      action: 'token.revoke',
      target: 'tok_abc',
      request_id: 'req-1',
      details: { reason: 'user asked' },
    });
    expect(e!.id).toMatch(/^evt_[0-9a-z]{26}$/);
    expect(JSON.stringify(e)).not.toContain('never-stored');
    expect(JSON.stringify(e)).not.toContain('nope');
  });

  it('the request id comes from the request context when the caller gives none', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = { headers: { 'x-request-id': 'edge-77' } } as never;
      const res = { headersSent: false, setHeader: () => undefined } as never;
      RequestContext.middleware(req, res, () => {
        audit
          .record({ tenantId: acme.id, actor: 'user_1', action: 'sign_in' })
          .then(resolve, reject);
      });
    });
    const [latest] = await trail.tail(acme.id, 1);
    expect(latest).toMatchObject({ action: 'sign_in', request_id: 'edge-77' });
  });

  it('one tenant never sees another’s events, even without a WHERE clause', async () => {
    await audit.record({ tenantId: globex.id, actor: 'cli_9', action: 'client.create' });
    const seenByGlobex = (await tx.run(
      (em) => em.query('SELECT tenant_id, action FROM tessera.audit_events'),
      globex.id,
    )) as Array<{ tenant_id: string }>;
    expect(seenByGlobex.length).toBe(1);
    expect(seenByGlobex.every((r) => r.tenant_id === globex.id)).toBe(true);
    expect((await trail.tail(acme.id, 100)).map((e) => e.action)).not.toContain('client.create');
  });

  it('a failed write is swallowed: the caller’s request never fails for the audit trail', async () => {
    await expect(
      audit.record({ tenantId: 'org_01h0000000000000000000000', actor: 'x', action: 'sign_out' }),
    ).resolves.toBeUndefined();
    await ds.destroy();
    try {
      await expect(
        audit.record({ tenantId: acme.id, actor: 'x', action: 'sign_out' }),
      ).resolves.toBeUndefined();
    } finally {
      await ds.initialize();
    }
  });

  describe('CLI › audit tail --tenant <slug> [--limit N] [--json]', () => {
    const cli = (args: string[]) =>
      spawnCli(
        {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          ISSUER: 'https://tessera.example',
          DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-')),
          DATABASE_URL: db.appUrl,
        },
        args,
      );

    beforeAll(() => {
      ensureBuilt();
    }, 120_000);

    it('--json prints one object with the newest events first, only that tenant’s', async () => {
      // Its own tenant and events: nothing here depends on the tests above.
      const tenants = new TypeOrmTenantDirectory(tx);
      const [own, other] = [await tenants.create('tail-audit'), await tenants.create('tail-other')];
      await audit.record({ tenantId: own.id, actor: 'cli_1', action: 'client.create' });
      await audit.record({ tenantId: own.id, actor: 'cli_2', action: 'token.revoke' });
      await audit.record({ tenantId: other.id, actor: 'cli_9', action: 'tenant.disable' });
      await audit.record({
        tenantId: own.id,
        actor: 'user_1',
        action: 'sign_in',
        requestId: 'edge-77',
      });
      const r = await cli(['audit', 'tail', '--tenant', 'tail-audit', '--limit', '2', '--json']);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      const { events } = JSON.parse(r.stdout) as { events: Array<Record<string, unknown>> };
      expect(events.map((e) => e.action)).toEqual(['sign_in', 'token.revoke']);
      expect(events[0]).toEqual({
        id: expect.stringMatching(/^evt_/),
        at: expect.any(String),
        actor: 'user_1',
        action: 'sign_in',
        target: null,
        details: {},
        request_id: 'edge-77',
      });
    }, 30_000);

    it.each([
      ['an unknown tenant', ['--tenant', 'nope-nope'], /unknown tenant/],
      ['no tenant', [], /--tenant <slug> is required/],
      ['a bad limit', ['--tenant', 'acme-audit', '--limit', '0'], /--limit must be 1 to 1000/],
    ])(
      '%s is a one-line error',
      async (_name, args, text) => {
        const r = await cli(['audit', 'tail', ...args, '--json']);
        expect(r.code).not.toBe(0);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(text);
      },
      30_000,
    );
  });
});
