import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/** One delivery attempt, as the worker records it. */
export interface DeliveryAttempt {
  deliveryId: string;
  event: string;
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
  outcome: 'delivered' | 'retry' | 'gone' | 'rejected' | 'dead';
}

/** What the index keeps per delivery. */
export interface DeliveryIndexEntry {
  event: string;
  url: string;
  createdAt: string;
  redelivery: boolean;
}

export interface DeliveryListing {
  deliveries: (DeliveryIndexEntry & {
    deliveryId: string;
    status: 'pending' | 'retrying' | 'delivered' | 'failed';
    attempts: Omit<DeliveryAttempt, 'deliveryId' | 'event'>[];
  })[];
  /** How many deliveries and attempts the capped logs no longer hold. */
  dropped: { deliveries: number; attempts: number };
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * KEYS: index hash, order list, dropped counter hash. ARGV: delivery id, entry, max, ttl.
 * A new delivery id goes to the end of the order list; past `max` the oldest leave both
 * the list and the index and are counted. A repeated id (a job ended twice) changes nothing.
 */
const ADD_DELIVERY = `
local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if added == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  local over = redis.call('LLEN', KEYS[2]) - tonumber(ARGV[3])
  for _ = 1, over do
    redis.call('HDEL', KEYS[1], redis.call('LPOP', KEYS[2]))
  end
  if over > 0 then redis.call('HINCRBY', KEYS[3], 'deliveries', over) end
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return added
`;

/** KEYS: attempt list, dropped counter hash. ARGV: entry, max, ttl. */
const ADD_ATTEMPT = `
redis.call('RPUSH', KEYS[1], ARGV[1])
local over = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[2])
if over > 0 then
  redis.call('LTRIM', KEYS[1], over, -1)
  redis.call('HINCRBY', KEYS[2], 'attempts', over)
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return over
`;

/**
 * The webhook delivery log of each job: which deliveries were made and every attempt. Both
 * logs keep their newest `maxEntries` and count what they drop, so redeliveries cannot grow
 * Redis without bound; listing reads each log once (O(n), n ≤ maxEntries) and pages.
 */
export class DeliveryLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly settings: { maxEntries: number; ttlSeconds: number },
  ) {}

  async addDelivery(jobId: string, deliveryId: string, entry: DeliveryIndexEntry): Promise<boolean> {
    const added = await this.redis.eval(
      ADD_DELIVERY,
      3,
      this.keys.deliveries(jobId),
      this.keys.deliveryOrder(jobId),
      this.keys.deliveryDropped(jobId),
      deliveryId,
      JSON.stringify(entry),
      String(this.settings.maxEntries),
      String(this.settings.ttlSeconds),
    );
    return added === 1;
  }

  async addAttempt(jobId: string, attempt: DeliveryAttempt): Promise<void> {
    await this.redis.eval(
      ADD_ATTEMPT,
      2,
      this.keys.deliveryAttempts(jobId),
      this.keys.deliveryDropped(jobId),
      JSON.stringify(attempt),
      String(this.settings.maxEntries),
      String(this.settings.ttlSeconds),
    );
  }

  /** One page of deliveries, oldest first, each with its attempts. */
  async list(jobId: string, page: { cursor?: number; limit: number }): Promise<DeliveryListing> {
    const start = page.cursor ?? 0;
    const ids = await this.redis.lrange(this.keys.deliveryOrder(jobId), start, start + page.limit);
    const more = ids.length > page.limit;
    const shown = ids.slice(0, page.limit);
    const [entries, rawAttempts, dropped] = await Promise.all([
      shown.length ? this.redis.hmget(this.keys.deliveries(jobId), ...shown) : Promise.resolve([]),
      this.redis.lrange(this.keys.deliveryAttempts(jobId), 0, -1),
      this.redis.hmget(this.keys.deliveryDropped(jobId), 'deliveries', 'attempts'),
    ]);
    const byDelivery = new Map<string, DeliveryListing['deliveries'][number]['attempts']>();
    const outcomes = new Map<string, DeliveryAttempt['outcome']>();
    for (const raw of rawAttempts) {
      const { deliveryId, event: _event, ...rest } = JSON.parse(raw) as DeliveryAttempt;
      const list = byDelivery.get(deliveryId) ?? [];
      list.push(rest);
      byDelivery.set(deliveryId, list);
      outcomes.set(deliveryId, rest.outcome);
    }
    const deliveries = shown.flatMap((deliveryId, i) => {
      const raw = entries[i];
      if (!raw) return [];
      const last = outcomes.get(deliveryId);
      return [
        {
          deliveryId,
          ...(JSON.parse(raw) as DeliveryIndexEntry),
          status: deliveryStatus(last),
          attempts: byDelivery.get(deliveryId) ?? [],
        },
      ];
    });
    return {
      deliveries,
      dropped: { deliveries: Number(dropped[0] ?? 0), attempts: Number(dropped[1] ?? 0) },
      ...(more && { nextCursor: String(start + page.limit) }),
    };
  }
}

/** The status of one delivery, from its last attempt. */
function deliveryStatus(
  last: DeliveryAttempt['outcome'] | undefined,
): DeliveryListing['deliveries'][number]['status'] {
  if (!last) return 'pending';
  if (last === 'delivered') return 'delivered';
  return last === 'retry' ? 'retrying' : 'failed';
}
