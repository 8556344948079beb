import {
  JOB_CATALOG,
  PRIORITIES,
  VIDEO_CACHE_KEY_OPTIONS,
  type Callback,
  type JobData,
  type Priority,
  type Task,
  type VideoOptions,
} from '@argus/contracts';
import {
  md5Hex,
  newJobId,
  type ArgusQueue,
  type JobEvents,
  type JobRecord,
  type JobRecordStore,
  type ResultCache,
  type UploadStore,
} from '@argus/queue';
import type { JobView } from './job-view';
import type { Backpressure } from './backpressure';
import type { JobOptions } from './job-options';
import type { JobLookup } from './job-lookup';
import type { CacheHitRecords } from './cache-hit-records';
import { recordView, snapshotOfRecord } from './job-record-view';
import { ownerOf, type Access } from '../auth/access';

export interface SubmitInput {
  task: Task;
  /** The upload as received: an image, or a video when `video` is set. */
  bytes: Buffer;
  /** Its MD5, when the caller already has it (an Idempotency-Key fingerprint needs it first). */
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

export interface JobSubmitDeps {
  queues: Record<Task, ArgusQueue>;
  jobEvents: JobEvents;
  /** Refuses new jobs when queues are too deep (cache hits still served). */
  backpressure?: Backpressure;
  uploads: UploadStore;
  results: ResultCache;
  records: JobRecordStore;
  options: JobOptions;
  lookup: JobLookup;
  hits: CacheHitRecords;
}

/** Submits an upload: the result cache first, then an identical job in flight, then a new job. */
export async function submitJob(deps: JobSubmitDeps, input: SubmitInput): Promise<SubmitOutcome> {
  const { task } = input;
  const owner = ownerOf(input.access);
  // The hit path: remembered options, the MD5, one Redis read, the answer.
  const prepared = deps.options.prepare(task, input.fields);
  const { model } = prepared;
  // A video's sampling options are part of its options (and of its cache key). The
  // remembered options are shared, so they are copied, never changed.
  const options: Record<string, unknown> = input.video
    ? { ...prepared.options, media: 'video', ...input.video }
    : prepared.options;
  const md5 = input.md5 ?? md5Hex(input.bytes);
  const resultKey = deps.results.keyFor({
    task,
    modelId: model.id,
    modelSha256: model.sha256,
    options,
    cacheKeyOptions: input.video
      ? [...JOB_CATALOG[task].cacheKeyOptions, ...VIDEO_CACHE_KEY_OPTIONS]
      : JOB_CATALOG[task].cacheKeyOptions,
    md5,
  });

  const cached = await deps.results.get(resultKey);
  if (cached !== null) {
    const hit = { task, md5, model: model.id, resultKey, options, ...(owner && { owner }) };
    if (!input.callback) {
      // The common hit: a record written once per (result, owner), so no write here.
      return { view: recordView(await deps.hits.recordFor(hit), cached), source: 'cache', md5 };
    }
    // A cached answer is still an outcome the submitter asked to be told about: a
    // submission of its own, so each callback is delivered under its own id.
    const now = Date.now();
    const record: JobRecord = {
      ...hit,
      id: newJobId(now),
      status: 'completed',
      createdAt: now,
      finishedAt: now,
    };
    await deps.records.put(record);
    await deps.jobEvents.deliverNow(snapshotOfRecord(record), { ...input.callback, submissionId: record.id });
    return { view: recordView(record, cached), source: 'cache', md5 };
  }

  await input.checkImage(input.bytes);
  await deps.backpressure?.check(task);
  const jobId = newJobId();
  const blobKey = deps.uploads.keyFor(jobId);
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
  const job = await withUpload(deps.uploads, blobKey, input.bytes, () =>
    deps.queues[task].add(task, data, {
      jobId,
      deduplication: { id: owner ? `${resultKey}|${owner}` : resultKey },
      priority: PRIORITIES[input.priority ?? 'normal'],
    }),
  );
  const sharedId = String(job.id);
  if (input.callback) {
    await deps.jobEvents.register(sharedId, { ...input.callback, submissionId: sharedId });
  }
  if (sharedId !== jobId) {
    await deps.uploads.delete(blobKey);
    const existing = await deps.lookup.get(sharedId, input.access);
    if (existing) return { view: existing, source: 'coalesced', md5 };
  }
  return { view: await deps.lookup.viewOf(job, 'waiting'), source: 'queued', md5 };
}

/**
 * Stores the upload, then runs `enqueue`. When the enqueue fails (Redis timed out, the
 * client's answer is 503) the upload is deleted at once: a refused submission leaves no
 * blob behind for its TTL. The janitor's sweep catches what this misses (a crash).
 */
async function withUpload<T>(
  uploads: UploadStore,
  blobKey: string,
  bytes: Buffer,
  enqueue: () => Promise<T>,
): Promise<T> {
  // The delete is not awaited: the client's 503 must not wait on a slow Redis. A timed-out
  // SET may still land later; the DEL queued behind it on the same connection removes it.
  const drop = () => void uploads.delete(blobKey).catch(() => undefined);
  try {
    await uploads.put(blobKey, bytes);
    return await enqueue();
  } catch (err) {
    drop();
    throw err;
  }
}
