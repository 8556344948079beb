import type { JobSnapshot } from '@argus/contracts';
import type { JobRecord } from '@argus/queue';
import { linksFor, type JobView } from './job-view';

const CANCELED = { code: 'canceled' as const, message: 'the job was canceled on request' };

/** The end of a recorded job, as callbacks see it. */
export function snapshotOfRecord(record: JobRecord): JobSnapshot {
  const canceled = record.status === 'canceled';
  return {
    id: record.id,
    task: record.task,
    event: canceled ? 'canceled' : 'completed',
    status: record.status,
    md5: record.md5,
    ...(canceled ? { error: CANCELED } : { resultKey: record.resultKey }),
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: new Date(record.finishedAt).toISOString(),
  };
}

/** The view of a recorded job (a cache hit or a canceled job), with its result when it has one. */
export function recordView(record: JobRecord, result: unknown): JobView {
  const canceled = record.status === 'canceled';
  const resultPart = canceled
    ? { error: CANCELED }
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
