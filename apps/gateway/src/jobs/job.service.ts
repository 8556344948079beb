import type { Job, QueueEvents } from 'bullmq';
import { z } from 'zod';
import {
  AppError,
  JOB_CATALOG,
  PRIORITIES,
  parseFailure,
  type Callback,
  type JobData,
  type JobReturn,
  type JobSnapshot,
  type Priority,
  type Task,
  type VideoOptions,
  VIDEO_CACHE_KEY_OPTIONS,
} from '@argus/contracts';
import type { Manifest } from '@argus/manifest';
import { resolveModel } from '@argus/manifest';
import {
  jobIdTime,
  md5Hex,
  newJobId,
  type ArgusQueue,
  type BlobStore,
  type EpochRecord,
  type JobEvents,
  type RedisKeys,
} from '@argus/queue';
import { guardRedis } from '../http/redis-guard';
import { linksFor, viewFromJob, type JobView } from './job-view';
import type { Backpressure } from './backpressure';
import { canSee, ownerOf, type Access } from '../auth/access';
import { isJobId, jobNotFound as notFound } from './job-id';

type ArgusJob = Job<JobData, JobReturn, Task>;

export interface JobServiceDeps {
  queues: Record<Task, ArgusQueue>;
  events: Record<Task, QueueEvents>;
  jobEvents: JobEvents;
  /** Refuses new jobs when queues are too deep (cache hits still served). */
  backpressure?: Backpressure;
  blobs: BlobStore;
  keys: RedisKeys;
  manifest: Manifest;
  /** Models this server could not install (id → why); a job naming one fails with 400. */
  missingModels?: Readonly<Record<string, string>>;
  /** The Redis epoch: a job issued before it was lost with Redis' data (410 lost). */
  epoch?: { readonly epoch: EpochRecord | undefined };
  settings: {
    resultTtlSeconds: number;
    blobTtlSeconds: number;
    redisTimeoutMs: number;
  };
}

export interface SubmitInput {
  task: Task;
  /** The upload as received: an image, or a video when `video` is set. */
  bytes: Buffer;
  /** Its MD5, when the caller already has it. */
  md5?: string;
  /**
   * Checks the upload (type, header, pixel count); run only on a cache miss, since bytes
   * with a cached result were checked when that result was made.
   */
  checkImage: (bytes: Buffer) => Promise<unknown>;
  /** Set for a video upload: its sampling options (the worker probes and decodes it). */
  video?: VideoOptions;
  /** Raw form fields; validated here with the task's schema. */
  fields: Record<string, unknown>;
  requestId: string;
  /** A checked callback URL and the events it wants. */
  callback?: { url: string; events: Callback['events'] };
  priority?: Priority;
  /** The caller: the job belongs to its key. */
  access: Access;
}

export interface SubmitOutcome {
  view: JobView;
  /** How the submission was served: a fresh job, the result cache, or an identical job in flight. */
  source: 'queued' | 'cache' | 'coalesced';
  md5: string;
}

/**
 * A job that is not (or no longer) in BullMQ: a submission answered from the cache, or a
 * queued job that was canceled (and so removed from its queue).
 */
interface JobRecord {
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

/** Distinct option sets remembered by `prepare` (oldest forgotten first). */
const PREPARED_MEMO_SIZE = 512;

export interface PreparedOptions {
  options: Record<string, unknown>;
  model: { id: string; sha256: string };
}

/** Submits jobs (cache → coalesce → enqueue), reads them back, cancels them. */
export class JobService {
  private readonly prepared = new Map<string, PreparedOptions>();

  constructor(private readonly deps: JobServiceDeps) {}

  /** The model manifest the gateway validates model ids against. */
  get manifest(): Manifest {
    return this.deps.manifest;
  }

  /** Every model of the manifest, with why it is missing when this server could not install it. */
  modelCatalog(): { id: string; task: Task; default: boolean; missing?: string }[] {
    const missing = this.deps.missingModels ?? {};
    return this.deps.manifest.models.map((m) => ({
      id: m.id,
      task: m.task,
      default: m.default,
      ...(m.id in missing ? { missing: missing[m.id] } : {}),
    }));
  }

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

  /**
   * Parsed options and the resolved model for raw form fields, remembered per distinct set
   * of fields: a repeated upload (the cache-hit path) does not re-run the zod schema.
   */
  prepare(task: Task, fields: Record<string, unknown>): PreparedOptions {
    const known = Object.entries(fields)
      .filter(([k, v]) => k !== 'task' && v !== undefined && v !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const memoKey = `${task}\n${JSON.stringify(known)}`;
    const memo = this.prepared.get(memoKey);
    if (memo) return memo;
    const options = this.parseOptions(task, fields);
    const model = resolveModel(
      this.deps.manifest,
      task,
      options.model as string | undefined,
      this.deps.missingModels,
    );
    const prepared = { options, model: { id: model.id, sha256: model.sha256 } };
    if (this.prepared.size >= PREPARED_MEMO_SIZE) {
      this.prepared.delete(this.prepared.keys().next().value as string);
    }
    this.prepared.set(memoKey, prepared);
    return prepared;
  }

  async submit(input: SubmitInput): Promise<SubmitOutcome> {
    const { task } = input;
    const owner = ownerOf(input.access);
    // The hit path: remembered options, the MD5, one Redis read, the answer.
    const prepared = this.prepare(task, input.fields);
    const { model } = prepared;
    // A video's sampling options are part of its options (and of its cache key). The
    // remembered options are shared, so they are copied, never changed.
    const options: Record<string, unknown> = input.video
      ? { ...prepared.options, media: 'video', ...input.video }
      : prepared.options;
    const md5 = input.md5 ?? md5Hex(input.bytes);
    const resultKey = this.deps.keys.result({
      task,
      modelId: model.id,
      modelSha256: model.sha256,
      options,
      cacheKeyOptions: input.video
        ? [...JOB_CATALOG[task].cacheKeyOptions, ...VIDEO_CACHE_KEY_OPTIONS]
        : JOB_CATALOG[task].cacheKeyOptions,
      md5,
    });

    const cached = await this.redis(() => this.deps.blobs.getJson<unknown>(resultKey));
    if (cached !== null) {
      const now = Date.now();
      const record: JobRecord = {
        id: newJobId(now),
        task,
        status: 'completed',
        md5,
        model: model.id,
        resultKey,
        options,
        createdAt: now,
        finishedAt: now,
        ...(owner && { owner }),
      };
      await this.redis(() =>
        this.deps.blobs.putJson(
          this.deps.keys.jobRecord(record.id),
          record,
          this.deps.settings.resultTtlSeconds,
        ),
      );
      if (input.callback) {
        // A cached answer is still an outcome the submitter asked to be told about.
        await this.redis(() =>
          this.deps.jobEvents.deliverNow(snapshotOfRecord(record), {
            ...input.callback!,
            submissionId: record.id,
          }),
        );
      }
      return { view: recordView(record, cached), source: 'cache', md5 };
    }

    await input.checkImage(input.bytes);
    await this.deps.backpressure?.check(task);
    const jobId = newJobId();
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
      ...(owner && { owner }),
      ...(input.video ? { media: 'video' as const } : {}),
    };
    // Identical uploads in flight from one key share one job: BullMQ deduplicates on the
    // result key (and the owner) and hands back the job already holding it. Two keys never
    // share a job id: one could otherwise read, cancel and redeliver the other's job. The
    // result cache is shared (same bytes, same result), the in-flight job is not.
    const job = await this.withBlob(blobKey, input.bytes, () =>
      this.deps.queues[task].add(task, data, {
        jobId,
        deduplication: { id: owner ? `${resultKey}|${owner}` : resultKey },
        priority: PRIORITIES[input.priority ?? 'normal'],
      }),
    );
    const sharedId = String(job.id);
    if (input.callback) {
      await this.redis(() =>
        this.deps.jobEvents.register(sharedId, { ...input.callback!, submissionId: sharedId }),
      );
    }
    if (sharedId !== jobId) {
      await this.redis(() => this.deps.blobs.delete(blobKey));
      const existing = await this.get(sharedId, input.access);
      if (existing) return { view: existing, source: 'coalesced', md5 };
    }
    return { view: await this.viewOf(job, 'waiting'), source: 'queued', md5 };
  }

  /**
   * Stores the upload, then runs `enqueue`. When the enqueue fails (Redis timed out, the
   * client's answer is 503) the upload is deleted at once: a refused submission leaves no
   * blob behind for its TTL. The janitor's sweep catches what this misses (a crash).
   */
  private async withBlob<T>(blobKey: string, bytes: Buffer, enqueue: () => Promise<T>): Promise<T> {
    // The delete is not awaited: the client's 503 must not wait on a slow Redis. A timed-out
    // SET may still land later; the DEL queued behind it on the same connection removes it.
    const drop = () => void this.deps.blobs.delete(blobKey).catch(() => undefined);
    try {
      await this.redis(() => this.deps.blobs.put(blobKey, bytes, this.deps.settings.blobTtlSeconds));
      return await this.redis(enqueue);
    } catch (err) {
      drop();
      throw err;
    }
  }

  /**
   * An id this gateway issued before Redis lost its data (it is older than the current
   * epoch, and young enough that it would still be kept): the job is gone, not expired.
   */
  private throwIfLost(id: string): void {
    const epoch = this.deps.epoch?.epoch;
    const issued = jobIdTime(id);
    if (!epoch || issued === undefined) return;
    const retentionMs = this.deps.settings.resultTtlSeconds * 1000;
    if (issued < epoch.createdAt && issued > epoch.createdAt - retentionMs) {
      throw new AppError(
        'lost',
        `job ${id} was accepted at ${new Date(issued).toISOString()}, but Redis lost its data at about ${new Date(epoch.createdAt).toISOString()}; the job and its result are gone: submit the image again`,
      );
    }
  }

  /** The job as `access` may see it: null when it does not exist or belongs to another key. */
  async get(id: string, access: Access): Promise<JobView | null> {
    if (!isJobId(id)) return null;
    const found = await this.findJob(id);
    if (found && !canSee(access, found.data.owner)) return null;
    if (found) {
      const state = await this.redis(() => found.getState());
      // The job can finish between reading it and reading its state. A finished state must
      // not come with the data of a running job (no failedReason: "failed without a reason").
      const finished = (state === 'completed' || state === 'failed') && !found.finishedOn;
      const job = finished
        ? ((await this.redis(() => this.deps.queues[found.data.task].getJob(id))) ?? found)
        : found;
      return this.viewOf(job, state);
    }
    const record = await this.record(id);
    if (!record) {
      this.throwIfLost(id);
      return null;
    }
    if (!canSee(access, record.owner)) return null;
    const result =
      record.status === 'completed'
        ? await this.redis(() => this.deps.blobs.getJson<unknown>(record.resultKey))
        : null;
    return recordView(record, result);
  }

  /**
   * DELETE /v1/jobs/:id. A queued job is removed from its queue at once (200, `canceled`);
   * a running job is asked to stop at its next stage boundary (202, `cancelRequested`);
   * a finished one cannot be canceled (409 already_finished).
   */
  async cancel(id: string, access: Access): Promise<{ view: JobView; accepted: boolean }> {
    if (!isJobId(id)) throw notFound(id);
    const job = await this.findJob(id);
    if (job && !canSee(access, job.data.owner)) throw notFound(id);
    if (!job) {
      const record = await this.record(id);
      if (record && canSee(access, record.owner))
        throw new AppError('already_finished', `job ${id} has already finished`);
      if (!record) this.throwIfLost(id);
      throw notFound(id);
    }
    const state = await this.redis(() => job.getState());
    if (state === 'completed' || state === 'failed') {
      throw new AppError('already_finished', `job ${id} has already finished`);
    }
    if (state !== 'active') {
      // The record goes first: waiters woken by the removal read it rather than a gap (a
      // job in BullMQ always wins over a record, so it is invisible until then).
      const record = await this.writeCanceledRecord(job);
      const removed = await this.redis(() =>
        job.remove().then(
          () => true,
          () => false, // it became active (locked) in the meantime
        ),
      );
      if (removed) return { view: await this.recordCanceled(job, record), accepted: false };
      await this.redis(() => this.deps.blobs.delete(this.deps.keys.jobRecord(record.id)));
    }
    await this.redis(() =>
      this.deps.blobs.putJson(
        this.deps.keys.cancelRequest(id),
        { at: Date.now() },
        this.deps.settings.resultTtlSeconds,
      ),
    );
    const view = await this.viewOf(job, 'active');
    return { view: { ...view, cancelRequested: true }, accepted: true };
  }

  /**
   * A stored PNG of a completed job (`overlay.png`, `labels.png`, `person-N.png`).
   * 409 `not_ready` while the job runs, 404 when the job or the image does not exist.
   */
  async artifact(id: string, name: string, access: Access): Promise<Buffer> {
    const view = await this.get(id, access);
    if (!view) throw notFound(id);
    if (view.status === 'failed' || view.status === 'canceled') {
      throw new AppError(
        'not_found',
        `job ${id} ${view.status === 'failed' ? 'failed' : 'was canceled'}, so it has no images`,
      );
    }
    if (view.status !== 'completed') {
      throw new AppError('not_ready', `job ${id} is ${view.status}; its images exist once it completes`);
    }
    const resultKey = await this.resultKeyOf(id);
    const bytes = resultKey
      ? await this.redis(() => this.deps.blobs.get(this.deps.keys.artifact(resultKey, name)))
      : null;
    if (!bytes) {
      throw new AppError(
        'not_found',
        `job ${id} has no ${name}${view.task === 'detect' ? ' (detect jobs draw it only when submitted with overlay=true)' : view.task === 'segment' ? ' (it was submitted with overlay=false)' : ''}`,
      );
    }
    return bytes;
  }

  /**
   * Waits until the job completes or fails (for the synchronous endpoints). A failure
   * becomes the job's own `{code, message}`; running out of time becomes 504.
   */
  async waitFor(view: JobView, timeoutMs: number, access: Access): Promise<JobView> {
    if (view.status === 'completed' || view.status === 'failed' || view.status === 'canceled') return view;
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
    const done = await this.get(view.id, access);
    if (!done) throw new AppError('not_found', `job ${view.id} disappeared while waiting`);
    return done;
  }

  private async record(id: string): Promise<JobRecord | null> {
    return this.redis(() => this.deps.blobs.getJson<JobRecord>(this.deps.keys.jobRecord(id)));
  }

  private async writeCanceledRecord(job: ArgusJob): Promise<JobRecord> {
    const record: JobRecord = {
      id: String(job.id),
      task: job.data.task,
      status: 'canceled',
      md5: job.data.md5,
      model: job.data.modelId,
      resultKey: job.data.resultKey,
      options: job.data.options,
      createdAt: job.timestamp,
      finishedAt: Date.now(),
      ...(job.data.owner && { owner: job.data.owner }),
    };
    await this.redis(() =>
      this.deps.blobs.putJson(
        this.deps.keys.jobRecord(record.id),
        record,
        this.deps.settings.resultTtlSeconds,
      ),
    );
    return record;
  }

  private async recordCanceled(job: ArgusJob, record: JobRecord): Promise<JobView> {
    await this.redis(() => this.deps.blobs.delete(job.data.blobKey));
    await this.redis(() => this.deps.jobEvents.ended(snapshotOfRecord(record)));
    return recordView(record, null);
  }

  private async resultKeyOf(id: string): Promise<string | undefined> {
    const job = await this.findJob(id);
    if (job) return job.data.resultKey;
    return (await this.record(id))?.resultKey;
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

function snapshotOfRecord(record: JobRecord): JobSnapshot {
  const canceled = record.status === 'canceled';
  return {
    id: record.id,
    task: record.task,
    event: canceled ? 'canceled' : 'completed',
    status: record.status,
    md5: record.md5,
    ...(canceled
      ? { error: { code: 'canceled' as const, message: 'the job was canceled on request' } }
      : { resultKey: record.resultKey }),
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: new Date(record.finishedAt).toISOString(),
  };
}

function recordView(record: JobRecord, result: unknown): JobView {
  const canceled = record.status === 'canceled';
  const resultPart = canceled
    ? { error: { code: 'canceled' as const, message: 'the job was canceled on request' } }
    : result !== null
      ? { result }
      : {
          error: {
            code: 'result_expired' as const,
            message: 'the cached result expired; submit the image again',
          },
        };
  return {
    id: record.id,
    task: record.task,
    status: record.status,
    progress: canceled ? { stage: 'canceled', percent: 0 } : { stage: 'done', percent: 100 },
    cached: !canceled,
    md5: record.md5,
    model: record.model,
    ...resultPart,
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: new Date(record.finishedAt).toISOString(),
    timings: canceled ? {} : { queuedMs: 0, processingMs: 0, totalMs: 0 },
    links: linksFor(record.id, record.task, canceled ? null : result, record.options),
  };
}
