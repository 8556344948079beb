import type { Job } from 'bullmq';
import { parseFailure, type JobData, type JobReturn, type JobSnapshot } from '@argus/contracts';

/** The webhook view of a job that just completed. */
export function completedSnapshot(job: Job<JobData, JobReturn>): JobSnapshot {
  return {
    id: String(job.id),
    task: job.data.task,
    event: 'completed',
    status: 'completed',
    md5: job.data.md5,
    resultKey: job.data.resultKey,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

/** The webhook view of a job that failed for good (or was canceled while running). */
export function failedSnapshot(job: Job<JobData, JobReturn>, reason: string): JobSnapshot {
  const error = parseFailure(reason);
  const canceled = error.code === 'canceled';
  return {
    id: String(job.id),
    task: job.data.task,
    event: canceled ? 'canceled' : 'failed',
    status: canceled ? 'canceled' : 'failed',
    md5: job.data.md5,
    error,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: new Date().toISOString(),
  };
}
