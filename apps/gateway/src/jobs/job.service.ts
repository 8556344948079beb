import type { QueueEvents } from 'bullmq';
import { AppError, type Task } from '@argus/contracts';
import type { Manifest } from '@argus/manifest';
import type {
  ArgusQueue,
  CancelFlags,
  EpochRecord,
  JobEvents,
  JobRecordStore,
  ResultCache,
  UploadStore,
} from '@argus/queue';
import type { JobView } from './job-view';
import type { Backpressure } from './backpressure';
import { JobOptions, type PreparedOptions } from './job-options';
import { JobLookup } from './job-lookup';
import { submitJob, type JobSubmitDeps, type SubmitInput, type SubmitOutcome } from './job-submit';
import { cancelJob, type JobCancelDeps } from './job-cancel';
import { CacheHitRecords } from './cache-hit-records';
import type { Access } from '../auth/access';
import { jobNotFound as notFound } from './job-id';

export type { PreparedOptions } from './job-options';
export type { SubmitInput, SubmitOutcome } from './job-submit';

export interface JobServiceDeps {
  queues: Record<Task, ArgusQueue>;
  events: Record<Task, QueueEvents>;
  jobEvents: JobEvents;
  /** Refuses new jobs when queues are too deep (cache hits still served). */
  backpressure?: Backpressure;
  uploads: UploadStore;
  results: ResultCache;
  records: JobRecordStore;
  cancels: CancelFlags;
  manifest: Manifest;
  /** Models this server could not install (id → why); a job naming one fails with 400. */
  missingModels?: Readonly<Record<string, string>>;
  /** The Redis epoch: a job issued before it was lost with Redis' data (410 lost). */
  epoch?: { readonly epoch: EpochRecord | undefined };
  settings: { resultTtlSeconds: number };
}

/**
 * What the routes call: submit (job-submit.ts), read back (job-lookup.ts), cancel
 * (job-cancel.ts), a job's images, and waiting for the end (the synchronous endpoints).
 */
export class JobService {
  private readonly options: JobOptions;
  private readonly lookup: JobLookup;
  private readonly submitDeps: JobSubmitDeps;
  private readonly cancelDeps: JobCancelDeps;

  constructor(private readonly deps: JobServiceDeps) {
    this.options = new JobOptions(deps.manifest, deps.missingModels);
    this.lookup = new JobLookup({ ...deps, resultTtlSeconds: deps.settings.resultTtlSeconds });
    // Hit records are rewritten at half their TTL, so one always outlives its memory here.
    const hits = new CacheHitRecords(deps.records, (deps.settings.resultTtlSeconds * 1000) / 2, deps.epoch);
    this.submitDeps = { ...deps, options: this.options, lookup: this.lookup, hits };
    this.cancelDeps = { ...deps, lookup: this.lookup };
  }

  /** The model manifest the gateway validates model ids against. */
  get manifest(): Manifest {
    return this.deps.manifest;
  }

  modelCatalog(): ReturnType<JobOptions['modelCatalog']> {
    return this.options.modelCatalog();
  }

  parseOptions(task: Task, fields: Record<string, unknown>): Record<string, unknown> {
    return this.options.parse(task, fields);
  }

  prepare(task: Task, fields: Record<string, unknown>): PreparedOptions {
    return this.options.prepare(task, fields);
  }

  submit(input: SubmitInput): Promise<SubmitOutcome> {
    return submitJob(this.submitDeps, input);
  }

  /** The job as `access` may see it: null when it does not exist or belongs to another key. */
  get(id: string, access: Access): Promise<JobView | null> {
    return this.lookup.get(id, access);
  }

  cancel(id: string, access: Access): Promise<{ view: JobView; accepted: boolean }> {
    return cancelJob(this.cancelDeps, id, access);
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
    const resultKey = await this.lookup.resultKeyOf(id);
    const bytes = resultKey ? await this.deps.results.artifact(resultKey, name) : null;
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
    const job = await this.lookup.findJob(view.id);
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
}
