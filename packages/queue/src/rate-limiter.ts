import type { RedisClient } from './redis-connection';

/**
 * Token bucket in one Lua script, so every gateway replica shares the bucket and two
 * requests can never both take the last token. Tokens refill continuously at
 * `ratePerMinute / 60` per second up to `burst`. Every quantity in the script is in
 * milliseconds: `rate` is tokens per ms, `now` and `ts` are ms, the wait and TTL are ms.
 */
const TOKEN_BUCKET = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
-- rate: tokens per millisecond; now, ts: milliseconds
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', key, math.ceil(burst / rate) + 1000)
local wait = 0
if allowed == 0 then wait = math.ceil((1 - tokens) / rate) end
return {allowed, math.floor(tokens), wait}
`;

export interface BucketResult {
  allowed: boolean;
  remaining: number;
  /** When not allowed: how long until one token is back (ms). */
  retryAfterMs: number;
  /** Seconds until the bucket is full again (the RateLimit-Reset header). */
  resetSeconds: number;
}

export class RateLimiter {
  constructor(private readonly redis: RedisClient) {}

  async take(key: string, ratePerMinute: number, burst: number, now = Date.now()): Promise<BucketResult> {
    const perMs = ratePerMinute / 60_000;
    const [allowed, remaining, wait] = (await this.redis.eval(
      TOKEN_BUCKET,
      1,
      key,
      String(perMs),
      String(burst),
      String(now),
    )) as [number, number, number];
    return {
      allowed: allowed === 1,
      remaining,
      retryAfterMs: wait,
      resetSeconds: Math.ceil((burst - remaining) / (ratePerMinute / 60)),
    };
  }

  /** Counts one job against a daily quota (UTC day); returns the count after this job. */
  async countDaily(key: string): Promise<number> {
    const results = await this.redis
      .multi()
      .incr(key)
      .expire(key, 2 * 86_400)
      .exec();
    return Number(results?.[0]?.[1] ?? 0);
  }

  async uncountDaily(key: string): Promise<void> {
    await this.redis.decr(key);
  }
}

/** YYYY-MM-DD (UTC) and the seconds until the next UTC midnight. */
export function utcDay(now = new Date()): { day: string; secondsLeft: number } {
  const day = now.toISOString().slice(0, 10);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day, secondsLeft: Math.ceil((midnight - now.getTime()) / 1000) };
}
