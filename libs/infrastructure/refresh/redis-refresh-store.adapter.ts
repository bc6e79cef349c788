import type Redis from 'ioredis';
import { refreshInvalid } from '@tessera/domain/refresh/refresh.errors';
import type {
  FinishedRotation,
  PeekResult,
  RefreshStore,
} from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import { whenRedisFails } from '../redis/redis-errors';
import { FINISH, PEEK, REVOKE, SAVE } from './refresh-store.scripts';

type Script = (...keysAndArgs: (string | number)[]) => Promise<unknown>;
interface Scripts {
  tesseraRtSave: Script;
  tesseraRtFinish: Script;
  tesseraRtRevoke: Script;
  tesseraRtPeek: Script;
}

/*
 * Keys carry the tenant in a hash tag, `tessera:{org_…}:rt:<hash>` and `…:fam:<id>`, so a
 * token and its family share a cluster slot and one script can check both atomically. A caller
 * presenting a refresh token knows only its hash, so `tessera:rt:<hash>` maps it to
 * "<tenant> <family>" (with the token's TTL): one extra GET, instead of keys without a tenant
 * (which would put every tenant's tokens in one namespace) or a scan.
 */
const indexKey = (hash: string) => `tessera:rt:${hash}`;
const rtKey = (tenant: string, hash: string) => `tessera:{${tenant}}:rt:${hash}`;
const famKey = (tenant: string, family: string) => `tessera:{${tenant}}:fam:${family}`;

/** Dates travel as ISO strings; every `…At` field of a record is a Date. */
const decode = (json: string): RefreshRecord =>
  JSON.parse(json, (k, v: unknown) =>
    k.endsWith('At') && typeof v === 'string' ? new Date(v) : v,
  ) as RefreshRecord;

export class RedisRefreshStore implements RefreshStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock = systemClock,
  ) {
    // EVALSHA under the hood; ioredis reloads a script the server forgot (e.g. after a restart).
    const define = (name: keyof Scripts, numberOfKeys: number, lua: string) =>
      redis.defineCommand(name, { numberOfKeys, lua });
    define('tesseraRtSave', 2, SAVE);
    define('tesseraRtFinish', 3, FINISH);
    define('tesseraRtRevoke', 1, REVOKE);
    define('tesseraRtPeek', 2, PEEK);
    this.scripts = redis as unknown as Scripts;
  }

  async save(hash: string, record: RefreshRecord): Promise<void> {
    const ttl = record.expiresAt.getTime() - this.clock.now().getTime();
    if (ttl <= 0) return;
    const { tenantId: t, familyId: f } = record;
    try {
      const saved = await this.scripts.tesseraRtSave(
        rtKey(t, hash),
        famKey(t, f),
        JSON.stringify(record),
        record.expiresAt.getTime(),
        record.accessJti,
      );
      // A family revoked while its successor was being minted takes no new member: the caller
      // must not hand out a pair whose access jti the revocation could not have denied.
      if (saved === 0) throw refreshInvalid();
      await this.redis.set(indexKey(hash), `${t} ${f}`, 'PX', ttl);
    } catch (e) {
      whenRedisFails(e);
    }
  }

  async finishRotation(f: FinishedRotation): Promise<void> {
    const { tenantId: t, familyId: fam } = f.successor;
    const ttl = f.successor.expiresAt.getTime() - this.clock.now().getTime();
    if (ttl <= 0) return;
    try {
      const done = await this.scripts.tesseraRtFinish(
        rtKey(t, f.oldHash),
        famKey(t, fam),
        rtKey(t, f.successorHash),
        JSON.stringify(f.successor),
        f.successor.expiresAt.getTime(),
        f.successor.accessJti,
        f.consumedAt.getTime(),
      );
      if (done === 0) throw refreshInvalid();
      // Last: until it is set the successor cannot be presented, and a retry sets it again.
      await this.redis.set(indexKey(f.successorHash), `${t} ${fam}`, 'PX', ttl);
    } catch (e) {
      whenRedisFails(e);
    }
  }

  async revokeFamily(tenantId: string, familyId: string): Promise<string[]> {
    try {
      return (await this.scripts.tesseraRtRevoke(famKey(tenantId, familyId))) as string[];
    } catch (e) {
      return whenRedisFails(e);
    }
  }

  async peek(hash: string): Promise<PeekResult | undefined> {
    try {
      const where = await this.locate(hash);
      if (!where) return undefined;
      const reply = (await this.scripts.tesseraRtPeek(
        rtKey(where.tenant, hash),
        famKey(where.tenant, where.family),
      )) as [PeekResult['state'], string] | null;
      const record = reply ? decode(reply[1]) : undefined;
      if (!reply || !record || record.expiresAt <= this.clock.now()) return undefined;
      return { state: reply[0], record };
    } catch (e) {
      return whenRedisFails(e);
    }
  }

  private async locate(hash: string): Promise<{ tenant: string; family: string } | undefined> {
    const v = await this.redis.get(indexKey(hash));
    const sep = v?.indexOf(' ') ?? -1;
    return v && sep > 0 ? { tenant: v.slice(0, sep), family: v.slice(sep + 1) } : undefined;
  }
}
