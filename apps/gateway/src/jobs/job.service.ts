import crypto from 'node:crypto';
import type { Job, QueueEvents } from 'bullmq';

type ArgusJob = Job<JobData, JobReturn, Task>;
import { z } from 'zod';
import {
  AppError,
  JOB_CATALOG,
  parseFailure,
  type JobData,
  type JobReturn,
  type Task,
} from '@argus/contracts';
import type { Manifest } from '@argus/models';
import { resolveModel } from '@argus/models';
import { md5Hex, type ArgusQueue, type BlobStore, type RedisKeys } from '@argus/queue';
import { guardRedis } from '../http/redis-guard';
import type { ValidatedImage } from '../uploads/validate-image';
import { linksFor, viewFromJob, type JobView } from './job-view';

export interface JobServiceDeps {
  queues: Record<Task, ArgusQueue>;
  events: Record<Task, QueueEvents>;
  blobs: BlobStore;
  keys: RedisKeys;
  manifest: Manifest;
  settings: {
    resultTtlSeconds: number;
    blobTtlSeconds: number;
    redisTimeoutMs: number;
  };
}

export interface SubmitInput {
  task: Task;
  image: ValidatedImage;
  /** Raw form fields; validated here with the task's schema. */
  fields: Record<string, unknown>;
  requestId: string;
}

export interface SubmitOutcome {
  view: JobView;
  /** How the submission was served: a fresh job, the result cache, or an identical job in flight. */
  source: 'queued' | 'cache' | 'coalesced';
}

interface CachedJobRecord {
  id: string;
  task: Task;
  md5: string;
  model: string;
  resultKey: string;
  /** The validated options, for the links a view offers. */
  options: Record<string, unknown>;
  createdAt: number;
}

/** Submits jobs (cache → coalesce → enqueue) and reads them back. */
export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  private redis<T>(op: () => Promise<T>): Promise<T> {
    return guardRedis(op, this.deps.settings.redisTimeoutMs);
  }

  parseOptions(task: Task, fields: Record<string, unknown>): Record<string, unknown> {
    const schema = JOB_CATALOG[task].optionsSchema as z.ZodType<Record<string, unknown>>;
    const known = Object.fromEntries(
      Object.entries(fields).filter(([k, v]) => k !== 'task' && v !== undefined && v !== ''),
    );
    const parsed = schema.safeParse(known);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
      throw new AppError('invalid_option', problems.join('; '));
    }
    return parsed.data;
  }

  async submit(input: SubmitInput): Promise<SubmitOutcome> {
    const { task, image } = input;
    const options = this.parseOptions(task, input.fields);
    const model = resolveModel(this.deps.manifest, task, options.model as string | undefined);
    const md5 = md5Hex(image.bytes);
    const resultKey = this.deps.keys.result({
      task,
      modelId: model.id,
      modelSha256: model.sha256,
      options,
      cacheKeyOptions: JOB_CATALOG[task].cacheKeyOptions,
      md5,
    });

    const cached = await this.redis(() => this.deps.blobs.getJson<unknown>(resultKey));
    if (cached !== null) {
      const record: CachedJobRecord = {
        id: crypto.randomUUID(),
        task,
        md5,
        model: model.id,
        resultKey,
        options,
        createdAt: Date.now(),
      };
      await this.redis(() =>
        this.deps.blobs.putJson(
          this.deps.keys.cachedJob(record.id),
          record,
          this.deps.settings.resultTtlSeconds,
        ),
      );
      return { view: cachedView(record, cached), source: 'cache' };
    }

    const jobId = crypto.randomUUID();
    const blobKey = this.deps.keys.blob(jobId);
    const data: JobData = {
      task,
      blobKey,
      md5,
      modelId: model.id,
      options: { ...options, model: model.id },
      resultKey,
      requestId: input.requestId,
      submittedAt: Date.now(),
    };
    await this.redis(() => this.deps.blobs.put(blobKey, image.bytes, this.deps.settings.blobTtlSeconds));
    // Identical uploads in flight share one job: BullMQ deduplicates on the result key and
    // hands back the job already holding it.
    const job = await this.redis(() =>
      this.deps.queues[task].add(task, data, { jobId, deduplication: { id: resultKey } }),
    );
    if (job.id !== jobId) {
      await this.redis(() => this.deps.blobs.delete(blobKey));
      const existing = await this.get(String(job.id));
      if (existing) return { view: existing, source: 'coalesced' };
    }
    return { view: await this.viewOf(job, 'waiting'), source: 'queued' };
  }

  async get(id: string): Promise<JobView | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const found = await this.findJob(id);
    if (found) {
      const state = await this.redis(() => found.getState());
      return this.viewOf(found, state);
    }
    const record = await this.redis(() =>
      this.deps.blobs.getJson<CachedJobRecord>(this.deps.keys.cachedJob(id)),
    );
    if (!record) return null;
    const result = await this.redis(() => this.deps.blobs.getJson<unknown>(record.resultKey));
    return cachedView(record, result);
  }

  /**
   * Waits until the job completes or fails (for the synchronous endpoints). A failure
   * becomes the job's own `{code, message}`; running out of time becomes 504.
   */
  async waitFor(view: JobView, timeoutMs: number): Promise<JobView> {
    if (view.status === 'completed' || view.status === 'failed') return view;
    const job = await this.findJob(view.id);
    if (!job) throw new AppError('not_found', `job ${view.id} disappeared while waiting`);
    try {
      await job.waitUntilFinished(this.deps.events[view.task], timeoutMs);
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (/timed out/i.test(message)) {
        throw new AppError(
          'timeout',
          `the job did not finish within ${timeoutMs} ms; poll /v1/jobs/${view.id} for it`,
        );
      }
    }
    const done = await this.get(view.id);
    if (!done) throw new AppError('not_found', `job ${view.id} disappeared while waiting`);
    return done;
  }

  /**
   * A stored PNG of a completed job (`overlay.png`, `labels.png`, `person-N.png`).
   * 409 `not_ready` while the job runs, 404 when the job or the image does not exist.
   */
  async artifact(id: string, name: string): Promise<Buffer> {
    const view = await this.get(id);
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    if (view.status === 'failed') throw new AppError('not_found', `job ${id} failed, so it has no images`);
    if (view.status !== 'completed')
      throw new AppError('not_ready', `job ${id} is ${view.status}; its images exist once it completes`);
    const resultKey = await this.resultKeyOf(id);
    const bytes = resultKey
      ? await this.redis(() => this.deps.blobs.get(this.deps.keys.artifact(resultKey, name)))
      : null;
    if (!bytes)
      throw new AppError(
        'not_found',
        `job ${id} has no ${name}${view.task === 'detect' ? ' (detect jobs draw it only when submitted with overlay=true)' : ''}`,
      );
    return bytes;
  }

  private async resultKeyOf(id: string): Promise<string | undefined> {
    const job = await this.findJob(id);
    if (job) return job.data.resultKey;
    const record = await this.redis(() =>
      this.deps.blobs.getJson<CachedJobRecord>(this.deps.keys.cachedJob(id)),
    );
    return record?.resultKey;
  }

  private async findJob(id: string): Promise<ArgusJob | undefined> {
    const tasks = Object.keys(this.deps.queues) as Task[];
    const jobs = await this.redis(() => Promise.all(tasks.map((t) => this.deps.queues[t].getJob(id))));
    return jobs.find((j): j is ArgusJob => Boolean(j));
  }

  private async viewOf(job: ArgusJob, state: string): Promise<JobView> {
    if (state !== 'completed') return viewFromJob(job, state, {});
    const resultKey = job.returnvalue?.resultKey ?? job.data.resultKey;
    const result = await this.redis(() => this.deps.blobs.getJson<unknown>(resultKey));
    if (result === null) {
      return viewFromJob(job, state, {
        error: parseFailure(
          'result_expired: the result outlived its retention period; submit the image again',
        ),
      });
    }
    return viewFromJob(job, state, { result });
  }
}

function cachedView(record: CachedJobRecord, result: unknown): JobView {
  const created = new Date(record.createdAt).toISOString();
  return {
    id: record.id,
    task: record.task,
    status: 'completed',
    progress: { stage: 'done', percent: 100 },
    cached: true,
    md5: record.md5,
    model: record.model,
    ...(result !== null
      ? { result }
      : {
          error: {
            code: 'result_expired' as const,
            message: 'the cached result expired; submit the image again',
          },
        }),
    createdAt: created,
    finishedAt: created,
    timings: { queuedMs: 0, processingMs: 0, totalMs: 0 },
    links: linksFor(record.id, record.task, result, record.options),
  };
}
