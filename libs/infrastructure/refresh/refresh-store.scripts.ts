/*
 * The refresh store's scripts. Each touches only keys of one tenant (one `{tenant}` hash tag,
 * so one cluster slot) and runs atomically: no other command interleaves.
 *
 * rt   (hash)   r = record JSON, c = consumedAt ms once consumed; expires with the token.
 * fam  (hash)   revoked = 1 once revoked, j:<accessJti> per member; outlives every member.
 */

/** KEYS rt, fam; ARGV record, expiresAt ms, accessJti. Returns 0 when the family is revoked. */
/**
 * Unless the family (KEYS[2]) is revoked: stores the record ARGV[1] at `rt` until ARGV[2],
 * enlists access jti ARGV[3] in the family and makes the family live at least as long.
 */
const storeInLiveFamily = (rt: string) => `
if redis.call('HEXISTS', KEYS[2], 'revoked') == 1 then return 0 end
redis.call('HSET', ${rt}, 'r', ARGV[1])
redis.call('PEXPIREAT', ${rt}, ARGV[2])
redis.call('HSET', KEYS[2], 'j:' .. ARGV[3], '1')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pttl = redis.call('PTTL', KEYS[2])
if pttl < 0 or now + pttl < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end`;

export const SAVE = `${storeInLiveFamily('KEYS[1]')}
return 1
`;

/**
 * After Postgres recorded the rotation: the successor becomes presentable, and the old token
 * is marked consumed (a replay is answered from Postgres, which keeps the sealed successor).
 * Idempotent (a retry after a crash runs it again). KEYS rt(old), fam, rt(new); ARGV record,
 * expiresAt ms, accessJti, consumedAt ms. 0: the family is revoked.
 */
export const FINISH = `${storeInLiveFamily('KEYS[3]')}
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSETNX', KEYS[1], 'c', ARGV[4]) end
return 1
`;

/** KEYS fam. Returns every access jti of the family (none if it expired or never existed). */
export const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('HSET', KEYS[1], 'revoked', '1')
local out = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'j:' then out[#out + 1] = string.sub(f, 3) end
end
return out
`;

/** KEYS rt, fam. Returns nil (unknown) or {state, record}, changing nothing. */
export const PEEK = `
local r = redis.call('HMGET', KEYS[1], 'r', 'c')
if not r[1] then return false end
if redis.call('HEXISTS', KEYS[2], 'revoked') == 1 then return {'revoked', r[1]} end
if r[2] then return {'consumed', r[1]} end
return {'live', r[1]}
`;
