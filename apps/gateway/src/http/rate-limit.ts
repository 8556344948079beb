import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@argus/contracts';
import type { RateLimits } from '@argus/queue';
import { accessOf } from '../auth/access';

export interface RateLimitSettings {
  ratePerMinute: number;
  burst: number;
  dailyQuota: number;
}

/**
 * Per-key limits on submissions (not on polling): a token bucket (RATE_LIMIT_PER_MINUTE,
 * RATE_LIMIT_BURST) and a daily job quota (DAILY_JOB_QUOTA), both in Redis so every
 * gateway replica enforces the same numbers. Answers carry RateLimit-* headers; refusals
 * are 429 with Retry-After. Open mode (no keys) is not limited per key.
 */
export function submitRateLimit(limits: RateLimits, settings: RateLimitSettings): RequestHandler {
  return async (req: Request, res: Response, next) => {
    const access = accessOf(req);
    if (access.kind !== 'key') return next();
    const key = access.key;
    const rate = key.ratePerMinute ?? settings.ratePerMinute;
    if (rate > 0) {
      const bucket = await limits.takeSubmission(key.id, rate, settings.burst);
      res.setHeader('RateLimit-Limit', String(settings.burst));
      res.setHeader('RateLimit-Remaining', String(bucket.remaining));
      res.setHeader('RateLimit-Reset', String(bucket.resetSeconds));
      res.setHeader('RateLimit-Policy', `${settings.burst};w=${Math.round((settings.burst / rate) * 60)}`);
      if (!bucket.allowed) {
        const wait = Math.max(1, Math.ceil(bucket.retryAfterMs / 1000));
        throw new AppError(
          'rate_limited',
          `rate limit reached (${rate}/min, burst ${settings.burst}); retry in ${wait} s`,
          undefined,
          wait,
        );
      }
    }
    const quota = key.dailyQuota ?? settings.dailyQuota;
    if (quota > 0) {
      const { used, secondsLeft, uncount } = await limits.countDailyJob(key.id);
      if (used > quota) {
        await uncount();
        throw new AppError(
          'quota_exceeded',
          `daily job quota of ${quota} used up; it resets at 00:00 UTC`,
          undefined,
          secondsLeft,
        );
      }
      // A refused submission (4xx/5xx) does not use up quota.
      res.on('finish', () => {
        if (res.statusCode >= 400) void uncount().catch(() => undefined);
      });
    }
    next();
  };
}

/**
 * Redeliveries of one job: a token bucket per job (WEBHOOK_REDELIVER_PER_MINUTE, burst
 * WEBHOOK_REDELIVER_BURST), so a client cannot turn one job into a stream of signed POSTs.
 */
export function redeliverRateLimit(
  limits: RateLimits,
  settings: { perMinute: number; burst: number },
): RequestHandler {
  return async (req: Request, _res: Response, next) => {
    const id = String(req.params.id);
    const bucket = await limits.takeRedelivery(id, settings.perMinute, settings.burst);
    if (!bucket.allowed) {
      const wait = Math.max(1, Math.ceil(bucket.retryAfterMs / 1000));
      throw new AppError(
        'rate_limited',
        `job ${id} was redelivered too often (${settings.perMinute}/min, burst ${settings.burst}); retry in ${wait} s`,
        undefined,
        wait,
      );
    }
    next();
  };
}
