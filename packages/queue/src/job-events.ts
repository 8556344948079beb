import crypto from 'node:crypto';
import type { Callback, DeliveryJobData, JobSnapshot } from '@argus/contracts';
import { DeliveryLog } from './delivery-log';
import type { RedisKeys } from './keys';
import type { WebhookQueue } from './queues';
import type { RedisClient } from './redis-connection';

/**
 * The end of a job, as callbacks see it. Whoever ends a job (the worker on completion or
 * final failure, the gateway on cancel) calls `ended`; whoever attaches a callback (the
 * gateway on submit) calls `register`. Each does its write and its read in one MULTI, so
 * a callback registered while the job ends is delivered exactly by one of the two.
 * Delivery ids are derived from (job, event, submission, url): ending a job twice (a
 * re-run after a stall) enqueues nothing new, because BullMQ refuses a duplicate job id.
 */
export class JobEvents {
  /** The capped delivery and attempt logs of each job. */
  readonly log: DeliveryLog;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly webhooks: WebhookQueue,
    private readonly ttlSeconds: number,
    /** WEBHOOK_LOG_MAX_ENTRIES. */
    maxLogEntries = 100,
  ) {
    this.log = new DeliveryLog(redis, keys, { maxEntries: maxLogEntries, ttlSeconds });
  }

  async ended(snapshot: JobSnapshot): Promise<string[]> {
    const results = await this.redis
      .multi()
      .set(this.keys.jobEnded(snapshot.id), JSON.stringify(snapshot), 'EX', this.ttlSeconds)
      .lrange(this.keys.callbacks(snapshot.id), 0, -1)
      .exec();
    const raw = (results?.[1]?.[1] ?? []) as string[];
    const callbacks = raw.map((r) => JSON.parse(r) as Callback);
    return this.deliverAll(snapshot, callbacks);
  }

  async register(jobId: string, callback: Callback): Promise<string[]> {
    const results = await this.redis
      .multi()
      .rpush(this.keys.callbacks(jobId), JSON.stringify(callback))
      .expire(this.keys.callbacks(jobId), this.ttlSeconds)
      .get(this.keys.jobEnded(jobId))
      .exec();
    const ended = results?.[2]?.[1] as string | null;
    return ended ? this.deliverAll(JSON.parse(ended) as JobSnapshot, [callback]) : [];
  }

  /** Delivers a finished job's outcome to one callback now (a cache hit has no job to wait for). */
  async deliverNow(snapshot: JobSnapshot, callback: Callback): Promise<string[]> {
    await this.redis
      .multi()
      .set(this.keys.jobEnded(snapshot.id), JSON.stringify(snapshot), 'EX', this.ttlSeconds)
      .rpush(this.keys.callbacks(snapshot.id), JSON.stringify(callback))
      .expire(this.keys.callbacks(snapshot.id), this.ttlSeconds)
      .exec();
    return this.deliverAll(snapshot, [callback]);
  }

  /**
   * Sends the job's outcome again to the callbacks one submission registered (a job shared
   * by several submissions of one key carries each of their callbacks), under new ids.
   */
  async redeliver(
    jobId: string,
    submissionId = jobId,
  ): Promise<{ snapshot: JobSnapshot | null; deliveryIds: string[] }> {
    const [ended, raw] = await Promise.all([
      this.redis.get(this.keys.jobEnded(jobId)),
      this.redis.lrange(this.keys.callbacks(jobId), 0, -1),
    ]);
    if (!ended) return { snapshot: null, deliveryIds: [] };
    const snapshot = JSON.parse(ended) as JobSnapshot;
    const ids: string[] = [];
    const own = raw.map((r) => JSON.parse(r) as Callback).filter((c) => c.submissionId === submissionId);
    for (const callback of own) {
      ids.push(await this.enqueue(snapshot, callback, `dlv_${crypto.randomBytes(12).toString('hex')}`, true));
    }
    return { snapshot, deliveryIds: ids };
  }

  async callbacksOf(jobId: string): Promise<Callback[]> {
    return (await this.redis.lrange(this.keys.callbacks(jobId), 0, -1)).map((r) => JSON.parse(r) as Callback);
  }

  private async deliverAll(snapshot: JobSnapshot, callbacks: Callback[]): Promise<string[]> {
    const ids: string[] = [];
    for (const callback of callbacks) {
      if (!callback.events.includes(snapshot.event)) continue;
      ids.push(await this.enqueue(snapshot, callback, deliveryIdFor(snapshot, callback), false));
    }
    return ids;
  }

  private async enqueue(
    snapshot: JobSnapshot,
    callback: Callback,
    deliveryId: string,
    redelivery: boolean,
  ): Promise<string> {
    // Deliveries are listed under the id the submitter knows.
    const listedUnder = callback.submissionId;
    const data: DeliveryJobData = {
      deliveryId,
      jobId: listedUnder,
      url: callback.url,
      snapshot: { ...snapshot, id: listedUnder },
      redelivery,
    };
    await this.log.addDelivery(listedUnder, deliveryId, {
      event: snapshot.event,
      url: callback.url,
      createdAt: new Date().toISOString(),
      redelivery,
    });
    await this.webhooks.add('deliver', data, { jobId: deliveryId });
    return deliveryId;
  }
}

export function deliveryIdFor(snapshot: JobSnapshot, callback: Callback): string {
  const digest = crypto
    .createHash('sha256')
    .update(`${snapshot.id}|${snapshot.event}|${callback.submissionId}|${callback.url}`)
    .digest('hex');
  return `dlv_${digest.slice(0, 24)}`;
}
