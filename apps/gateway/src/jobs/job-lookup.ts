import type { Job } from 'bullmq';
import { AppError, parseFailure, type JobData, type JobReturn, type Task } from '@argus/contracts';
import {
  jobIdTime,
  type ArgusQueue,
  type EpochRecord,
  type JobRecord,
  type JobRecordStore,
  type ResultCache,
} from '@argus/queue';
import { viewFromJob, type JobView } from './job-view';
import { recordView } from './job-record-view';
import { canSee, type Access } from '../auth/access';
import { isJobId } from './job-id';

export type ArgusJob = Job<JobData, JobReturn, Task>;

export interface JobLookupDeps {
  queues: Record<Task, ArgusQueue>;
  records: JobRecordStore;
  results: ResultCache;
  /** The Redis epoch: a job issued before it was lost with Redis' data (410 lost). */
  epoch?: { readonly epoch: EpochRecord | undefined };
  resultTtlSeconds: number;
}

/** Finds a job wherever it is (a BullMQ queue, or a job record) and builds its view. */
export class JobLookup {
  constructor(private readonly deps: JobLookupDeps) {}

  /** The job as `access` may see it: null when it does not exist or belongs to another key. */
  async get(id: string, access: Access): Promise<JobView | null> {
    if (!isJobId(id)) return null;
    const found = await this.findJob(id);
    if (found && !canSee(access, found.data.owner)) return null;
    if (found) {
      const state = await found.getState();
      // The job can finish between reading it and reading its state. A finished state must
      // not come with the data of a running job (no failedReason: "failed without a reason").
      const finished = (state === 'completed' || state === 'failed') && !found.finishedOn;
      const job = finished ? ((await this.deps.queues[found.data.task].getJob(id)) ?? found) : found;
      return this.viewOf(job, state);
    }
    const record = await this.record(id);
    if (!record) {
      this.throwIfLost(id);
      return null;
    }
    if (!canSee(access, record.owner)) return null;
    const result = record.status === 'completed' ? await this.deps.results.get(record.resultKey) : null;
    return recordView(record, result);
  }

  async findJob(id: string): Promise<ArgusJob | undefined> {
    const tasks = Object.keys(this.deps.queues) as Task[];
    const jobs = await Promise.all(tasks.map((t) => this.deps.queues[t].getJob(id)));
    return jobs.find((j): j is ArgusJob => Boolean(j));
  }

  record(id: string): Promise<JobRecord | null> {
    return this.deps.records.get(id);
  }

  async resultKeyOf(id: string): Promise<string | undefined> {
    const job = await this.findJob(id);
    if (job) return job.data.resultKey;
    return (await this.record(id))?.resultKey;
  }

  async viewOf(job: ArgusJob, state: string): Promise<JobView> {
    if (state !== 'completed') return viewFromJob(job, state, {});
    const resultKey = job.returnvalue?.resultKey ?? job.data.resultKey;
    const result = await this.deps.results.get(resultKey);
    if (result === null) {
      return viewFromJob(job, state, {
        error: parseFailure(
          'result_expired: the result outlived its retention period; submit the image again',
        ),
      });
    }
    return viewFromJob(job, state, { result });
  }

  /**
   * An id this gateway issued before Redis lost its data (it is older than the current
   * epoch, and young enough that it would still be kept): the job is gone, not expired.
   */
  throwIfLost(id: string): void {
    const epoch = this.deps.epoch?.epoch;
    const issued = jobIdTime(id);
    if (!epoch || issued === undefined) return;
    const retentionMs = this.deps.resultTtlSeconds * 1000;
    if (issued < epoch.createdAt && issued > epoch.createdAt - retentionMs) {
      throw new AppError(
        'lost',
        `job ${id} was accepted at ${new Date(issued).toISOString()}, but Redis lost its data at about ${new Date(epoch.createdAt).toISOString()}; the job and its result are gone: submit the image again`,
      );
    }
  }
}
