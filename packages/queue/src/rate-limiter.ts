import type { RedisClient } from './redis-connection';
import type { RedisKeys } from './keys';

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

/**
 * The rate limits the gateway enforces, by what they limit: submissions per API key (a
 * token bucket and a daily job quota) and redeliveries per job. The key names stay here.
 */
export class RateLimits {
  private readonly limiter: RateLimiter;

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.limiter = new RateLimiter(redis);
  }

  takeSubmission(apiKeyId: string, ratePerMinute: number, burst: number): Promise<BucketResult> {
    return this.limiter.take(this.keys.rateLimit(apiKeyId), ratePerMinute, burst);
  }

  takeRedelivery(jobId: string, ratePerMinute: number, burst: number): Promise<BucketResult> {
    return this.limiter.take(this.keys.redeliverRate(jobId), ratePerMinute, burst);
  }

  /**
   * Counts one job against the key's quota for today (UTC): the count after it, the seconds
   * until the quota resets, and how to give the job back (a refused submission).
   */
  async countDailyJob(
    apiKeyId: string,
  ): Promise<{ used: number; secondsLeft: number; uncount: () => Promise<void> }> {
    const { day, secondsLeft } = utcDay();
    const key = this.keys.dailyQuota(apiKeyId, day);
    const used = await this.limiter.countDaily(key);
    return { used, secondsLeft, uncount: () => this.limiter.uncountDaily(key) };
  }
}

/** YYYY-MM-DD (UTC) and the seconds until the next UTC midnight. */
export function utcDay(now = new Date()): { day: string; secondsLeft: number } {
  const day = now.toISOString().slice(0, 10);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day, secondsLeft: Math.ceil((midnight - now.getTime()) / 1000) };
}
