import type { VideoFrameResult } from '@argus/contracts';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/** Where a video job picks up after a restart (the worker's shape: next frame, tracker, model). */
export interface VideoResumePoint {
  nextFrame: number;
}

/**
 * A running video job's results in Redis, one chunk of frames at a time. Chunks sit in a hash
 * keyed by their first frame, so a chunk written twice (a stalled attempt finishing late)
 * replaces itself instead of duplicating frames; the chunk and the resume point are written
 * in one MULTI, so a resume never skips or repeats a frame.
 */
export class VideoChunkStore<Point extends VideoResumePoint = VideoResumePoint> {
  private readonly chunksKey: string;
  private readonly resumeKey: string;

  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
    jobId: string,
    private readonly ttlSeconds: number,
  ) {
    this.chunksKey = keys.videoChunks(jobId);
    this.resumeKey = keys.videoResume(jobId);
  }

  async resume(): Promise<Point | null> {
    const raw = await this.redis.get(this.resumeKey);
    return raw === null ? null : (JSON.parse(raw) as Point);
  }

  async commit(frames: readonly VideoFrameResult[], point: Point): Promise<void> {
    if (frames.length === 0) return;
    await this.redis
      .multi()
      .hset(this.chunksKey, String(frames[0].index), JSON.stringify(frames))
      .expire(this.chunksKey, this.ttlSeconds)
      .set(this.resumeKey, JSON.stringify(point), 'EX', this.ttlSeconds)
      .exec();
  }

  /** Every stored frame, in frame order. */
  async frames(): Promise<VideoFrameResult[]> {
    const chunks = await this.redis.hgetall(this.chunksKey);
    return Object.entries(chunks)
      .sort(([a], [b]) => Number(a) - Number(b))
      .flatMap(([, json]) => JSON.parse(json) as VideoFrameResult[]);
  }

  async clear(): Promise<void> {
    await this.redis.del(this.chunksKey, this.resumeKey);
  }
}
