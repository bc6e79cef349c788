import { TokenIssuer } from '@tessera/domain/token/token-issuer';
import type { Client } from '@tessera/domain/token/client';
import type { TokenSigner } from '@tessera/domain/token/token-signer.port';
import type { Role } from '@tessera/domain/tenant/membership';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Denylist, DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import type {
  FinishedRotation,
  PeekResult,
  RefreshStore,
} from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';
import { noopMetrics } from '../ports/metrics.port';
import type { TokenRecord, TokenRecords } from '../tokens/token-records.port';
import type { RefreshLedger, RefreshState } from '../tokens/refresh-ledger.port';
import { IssueTokenUseCase } from '../issue-token/issue-token.use-case';
import { RevokeTokenUseCase } from '../revoke-token/revoke-token.use-case';
import { RotateRefreshUseCase } from './rotate-refresh.use-case';

const GRACE = 10;
const LIFETIME = 3600;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Redis as the use case sees it: an index by hash, with the family marker. */
class FakeStore implements RefreshStore {
  tokens = new Map<string, { record: RefreshRecord; consumed?: boolean }>();
  revokedFamilies = new Set<string>();
  failFinish = 0;
  save(hash: string, record: RefreshRecord) {
    this.tokens.set(hash, { record });
    return Promise.resolve();
  }
  finishRotation(f: FinishedRotation) {
    if (this.failFinish-- > 0) return Promise.reject(unavailable());
    if (this.revokedFamilies.has(f.successor.familyId)) return Promise.reject(invalid());
    if (!this.tokens.has(f.successorHash))
      this.tokens.set(f.successorHash, { record: f.successor });
    const old = this.tokens.get(f.oldHash);
    if (old) old.consumed = true;
    return Promise.resolve();
  }
  revokeFamily(_t: string, familyId: string) {
    this.revokedFamilies.add(familyId);
    return Promise.resolve([]);
  }
  peek(hash: string): Promise<PeekResult | undefined> {
    const e = this.tokens.get(hash);
    if (!e) return Promise.resolve(undefined);
    const state = this.revokedFamilies.has(e.record.familyId)
      ? 'revoked'
      : e.consumed
        ? 'consumed'
        : 'live';
    return Promise.resolve({ state, record: e.record });
  }
}

/** api_tokens as the ledger's SQL treats it. */
class FakeLedger implements RefreshLedger {
  rows = new Map<string, TokenRecord & { consumedAt?: Date; sealed?: string }>();
  /** Runs just before the conditional update: another node winning the race. */
  beforeConsume?: () => void;
  state(_t: string, jti: string): Promise<RefreshState | undefined> {
    const r = this.rows.get(jti);
    return Promise.resolve(
      r && { revoked: !!r.revokedAt, consumedAt: r.consumedAt, sealedSuccessor: r.sealed },
    );
  }
  consume(i: Parameters<RefreshLedger['consume']>[0]) {
    this.beforeConsume?.();
    const r = this.rows.get(i.refreshJti);
    if (!r || r.consumedAt || r.revokedAt) return Promise.resolve(false);
    r.consumedAt = i.consumedAt;
    r.sealed = i.sealedSuccessor;
    for (const row of i.successorRows) this.rows.set(row.jti, { ...row });
    return Promise.resolve(true);
  }
  revokeFamily(tenantId: string, familyId: string, reason: string, since: Date) {
    let newly = 0;
    const denied: DenylistEntry[] = [];
    for (const r of this.rows.values()) {
      if (r.familyId !== familyId) continue;
      if (!r.revokedAt) {
        r.revokedAt = new Date();
        newly++;
      }
      if (r.kind === 'access' && r.expiresAt > since)
        denied.push({ jti: r.jti, tenantId, expiresAt: r.expiresAt, reason });
    }
    return Promise.resolve({ denied, newlyRevoked: newly });
  }
  findByTokenHash() {
    return Promise.resolve(undefined);
  }
  familyRevoked(familyId: string) {
    return [...this.rows.values()].every((r) => r.familyId !== familyId || r.revokedAt);
  }
}

const unavailable = () => new DomainError('temporarily_unavailable', 'store down');
const invalid = () => new DomainError('invalid_grant', 'revoked');

function setup() {
  const clock = { t: T0, now: () => new Date(clock.t) };
  let n = 0;
  const signer: TokenSigner = {
    kid: 'k',
    alg: 'ES256',
    sign: (payload) =>
      Promise.resolve({
        token: `h.${++n}.${JSON.stringify(payload).length}`,
        kid: 'k',
        alg: 'ES256',
      }),
    publicJwk: () => ({ kty: 'EC', kid: 'k', alg: 'ES256', use: 'sig' }),
  };
  const issuer = new TokenIssuer(signer, clock, { issuer: 'i', audience: 'a', accessTtl: 900 });
  const store = new FakeStore();
  const ledger = new FakeLedger();
  const records: TokenRecords = {
    record: (rows) => Promise.resolve(void rows.forEach((r) => ledger.rows.set(r.jti, { ...r }))),
    get: () => Promise.resolve(undefined),
    list: () => Promise.resolve([]),
    markRevoked: () => Promise.resolve([]),
  };
  const denied: DenylistEntry[] = [];
  const denylist: Denylist = {
    deny: (e) => Promise.resolve(void denied.push(...e)),
    isDenied: (jti) => denied.some((d) => d.jti === jti),
    prune: () => Promise.resolve(0),
  };
  const settings = { refreshTtl: 86400, refreshGrace: GRACE, refreshFamilyLifetime: LIFETIME };
  const issue = new IssueTokenUseCase(issuer, store, records, noopMetrics, settings);
  const audit = { record: () => Promise.resolve() };
  const revoke = new RevokeTokenUseCase(
    { verify: () => Promise.reject(new Error('unused')) },
    store,
    denylist,
    records,
    noopMetrics,
    audit,
    30,
    ledger,
    clock,
  );
  const members = new Map<string, Role>([['user_1', 'member']]);
  const memberships = {
    get: (_t: string, u: string) =>
      Promise.resolve(members.has(u) ? { role: members.get(u)! } : undefined),
  };
  const tenants = { status: () => Promise.resolve('active' as const) };
  const uc = new RotateRefreshUseCase(
    store,
    issue,
    revoke,
    tenants,
    ledger,
    memberships,
    settings,
    clock,
  );
  const client: Client = {
    id: 'cli_1',
    tenantId: 'org_1',
    name: 'c',
    secretHash: Buffer.alloc(32),
    grants: ['refresh_token'],
    scopes: ['read', 'write', 'api:read', 'api:write'],
    status: 'active',
  };
  const start = async (opts: { scopes?: string[]; userId?: string } = {}) => {
    const minted = await issue.execute({
      tenantId: 'org_1',
      subject: 's',
      clientId: 'cli_1',
      scopes: opts.scopes ?? ['read', 'write'],
      userId: opts.userId,
      grant: 'cli',
      withRefresh: true,
    });
    return minted.refresh_token!;
  };
  const refresh = (token: string, scopes?: string[]) =>
    uc.execute({ refreshToken: token, client, scopes });
  return { clock, store, ledger, denied, members, client, start, refresh };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: DomainError) => e.code,
  );

describe('grant_type=refresh_token › RotateRefreshUseCase', () => {
  const replays: { name: string; after: number; expect: 'same successor' | 'reuse' }[] = [
    { name: 'at once', after: 0, expect: 'same successor' },
    { name: 'just inside the grace window', after: GRACE * 1000 - 1, expect: 'same successor' },
    { name: 'at the end of the grace window', after: GRACE * 1000, expect: 'reuse' },
    { name: 'long after', after: 3600_000, expect: 'reuse' },
  ];
  it.each(replays)('a consumed token presented again $name → $expect', async (c) => {
    const env = setup();
    const t1 = await env.start();
    const first = await env.refresh(t1);
    env.clock.t += c.after;
    if (c.expect === 'same successor') {
      const again = await env.refresh(t1);
      expect(again).toEqual(first);
      return;
    }
    await expect(code(env.refresh(t1))).resolves.toBe('invalid_grant');
    const family = env.store.tokens.get([...env.store.tokens.keys()][0]!)!.record.familyId;
    expect(env.ledger.familyRevoked(family)).toBe(true);
    // The successor handed out on first use is refused too; both access tokens are denied
    // while they would still be accepted (15 min), none once long expired.
    await expect(code(env.refresh(first.refresh_token!))).resolves.toBe('invalid_grant');
    // (Each refusal of the revoked family repeats the idempotent revocation: count jtis once.)
    expect(new Set(env.denied.map((d) => d.jti)).size).toBe(c.after < 900_000 ? 2 : 0);
  });

  // They all read "not consumed", all sign, and all but one lose the conditional update.
  it('parallel callers of one token get one successor: no fork', async () => {
    const env = setup();
    const t1 = await env.start();
    const all = await Promise.all(Array.from({ length: 8 }, () => env.refresh(t1)));
    expect(new Set(all.map((r) => r.refresh_token)).size).toBe(1);
    const refreshRows = [...env.ledger.rows.values()].filter((r) => r.kind === 'refresh');
    expect(refreshRows).toHaveLength(2);
  });

  it('Redis failing after the commit: the retry gets the same successor, which then works', async () => {
    const env = setup();
    const t1 = await env.start();
    env.store.failFinish = 1;
    await expect(code(env.refresh(t1))).resolves.toBe('temporarily_unavailable');
    const retry = await env.refresh(t1);
    env.clock.t += 1000;
    await expect(code(env.refresh(retry.refresh_token!))).resolves.toBe('ok');
  });

  const lifetimes: { at: number; expect: string }[] = [
    { at: LIFETIME - 1, expect: 'ok' },
    { at: LIFETIME, expect: 'invalid_grant' },
    { at: LIFETIME * 2, expect: 'invalid_grant' },
  ];
  it.each(lifetimes)(
    'REFRESH_FAMILY_LIFETIME: a refresh $at s after the family began → $expect',
    async (c) => {
      const env = setup();
      let token = await env.start();
      // Rotating along the way does not restart the family's clock.
      for (let i = 0; i < 3; i++) {
        env.clock.t += 60_000;
        token = (await env.refresh(token)).refresh_token!;
      }
      env.clock.t = T0 + c.at * 1000;
      await expect(code(env.refresh(token))).resolves.toBe(c.expect);
    },
  );

  it('a successor never outlives the family', async () => {
    const env = setup();
    const t1 = await env.start();
    env.clock.t += (LIFETIME - 60) * 1000;
    const next = await env.refresh(t1);
    const rec = [...env.ledger.rows.values()].find((r) => r.kind === 'refresh' && !r.consumedAt)!;
    expect(rec.expiresAt.getTime()).toBe(T0 + LIFETIME * 1000);
    expect(next.refresh_token).toBeDefined();
  });

  it('scopes follow the client’s current registration', async () => {
    const env = setup();
    const t1 = await env.start({ scopes: ['read', 'write'] });
    env.client.scopes = ['read'];
    const next = await env.refresh(t1);
    expect(next.scope).toBe('read');
    await expect(code(env.refresh(next.refresh_token!, ['write']))).resolves.toBe('invalid_scope');
  });

  const members: { name: string; role?: Role; expect: string; scope?: string }[] = [
    { name: 'still a member', role: 'member', expect: 'ok', scope: 'read api:read api:write' },
    { name: 'now a viewer', role: 'viewer', expect: 'ok', scope: 'read api:read' },
    { name: 'no longer a member', expect: 'invalid_grant' },
  ];
  it.each(members)('a user’s family re-checks the membership: $name → $expect', async (c) => {
    const env = setup();
    const t1 = await env.start({ userId: 'user_1', scopes: ['read', 'api:read', 'api:write'] });
    if (c.role) env.members.set('user_1', c.role);
    else env.members.delete('user_1');
    const out = env.refresh(t1);
    await expect(code(out)).resolves.toBe(c.expect);
    if (c.scope) expect((await out).scope).toBe(c.scope);
  });

  it('a family revoked in Postgres but not in Redis is refused, and Redis is brought in line', async () => {
    const env = setup();
    const t1 = await env.start();
    const family = [...env.ledger.rows.values()][0]!.familyId!;
    await env.ledger.revokeFamily('org_1', family, 'test', new Date(0));
    await expect(code(env.refresh(t1))).resolves.toBe('invalid_grant');
    expect(env.store.revokedFamilies.has(family)).toBe(true);
  });

  it('a family revoked in Redis only (an older release failed after its Redis write) is refused, and Postgres and the denylist are brought in line', async () => {
    const env = setup();
    const t1 = await env.start();
    const family = [...env.ledger.rows.values()][0]!.familyId!;
    env.store.revokedFamilies.add(family);
    await expect(code(env.refresh(t1))).resolves.toBe('invalid_grant');
    expect(env.ledger.familyRevoked(family)).toBe(true);
    const access = [...env.ledger.rows.values()].filter((r) => r.kind === 'access');
    expect(env.denied.map((d) => d.jti)).toEqual(access.map((r) => r.jti));
  });

  it('a token bound to another client is refused without consuming it', async () => {
    const env = setup();
    const t1 = await env.start();
    env.client.id = 'cli_2';
    await expect(code(env.refresh(t1))).resolves.toBe('invalid_grant');
    env.client.id = 'cli_1';
    await expect(code(env.refresh(t1))).resolves.toBe('ok');
  });
});
