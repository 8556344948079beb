import type { Task } from '@argus/contracts';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/**
 * A job that is not (or no longer) in BullMQ: a queued job that was canceled (and so
 * removed from its queue), or a cache hit answered by a gateway that other gateways must
 * be able to read back.
 */
export interface JobRecord {
  id: string;
  task: Task;
  status: 'completed' | 'canceled';
  md5: string;
  model: string;
  resultKey: string;
  /** The validated options, for the links a view offers. */
  options: Record<string, unknown>;
  createdAt: number;
  finishedAt: number;
  /** The API key that submitted it (absent in open mode). */
  owner?: string;
}

/** Job records by job id, each with the result TTL. */
export class JobRecordStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async get(id: string): Promise<JobRecord | null> {
    const raw = await this.redis.get(this.keys.jobRecord(id));
    return raw === null ? null : (JSON.parse(raw) as JobRecord);
  }

  async put(record: JobRecord): Promise<void> {
    await this.redis.set(this.keys.jobRecord(record.id), JSON.stringify(record), 'EX', this.ttlSeconds);
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.keys.jobRecord(id));
  }
}
