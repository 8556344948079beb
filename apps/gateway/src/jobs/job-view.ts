import type { Job } from 'bullmq';
import {
  parseFailure,
  type JobData,
  type JobLinks,
  type JobProgress,
  type JobReturn,
  type JobStatus,
  type JobView as ContractJobView,
  type Task,
} from '@argus/contracts';

/**
 * What `GET /v1/jobs/:id` answers: the contracts' JobView, with `result` as read back from
 * Redis (the JSON the worker stored; the OpenAPI test validates it against JobResult).
 */
export type JobView = Omit<ContractJobView, 'result'> & { result?: unknown };
export type { JobLinks, JobProgress };

/** BullMQ's states folded into the four a client needs. */
export function statusFromState(state: string): JobStatus {
  switch (state) {
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      // waiting, prioritized, delayed (backoff between attempts), waiting-children
      return 'queued';
  }
}

/** Links to a job and, once it has completed, to the images it produced. */
export function linksFor(
  id: string,
  task: Task,
  result: unknown,
  options: Record<string, unknown> = {},
): JobLinks {
  const self = `/v1/jobs/${id}`;
  if (!result || typeof result !== 'object') return { self };
  if ((result as { media?: unknown }).media === 'video')
    return { self, video: `${self}/annotated.mp4`, contactSheet: `${self}/contact-sheet.jpg` };
  if (task === 'detect')
    return options.overlay === true ? { self, overlay: `${self}/overlay.png` } : { self };
  if (task === 'segment') {
    const instances = (result as { instances?: unknown[] }).instances ?? [];
    return {
      self,
      ...(options.overlay === false ? {} : { overlay: `${self}/overlay.png` }),
      masks: instances.map((_, n) => `${self}/instances/${n}/mask.png`),
    };
  }
  const persons = (result as { persons?: unknown[] }).persons ?? [];
  return {
    self,
    overlay: `${self}/overlay.png`,
    labels: `${self}/labels.png`,
    masks: persons.map((_, n) => `${self}/persons/${n}/mask.png`),
  };
}

export function viewFromJob(
  job: Job<JobData, JobReturn, Task>,
  state: string,
  extra: { result?: unknown; error?: JobView['error'] },
): JobView {
  const failure = state === 'failed' ? parseFailure(job.failedReason) : undefined;
  // A running job canceled on request ends as failed in BullMQ with code `canceled`.
  const status = failure?.code === 'canceled' ? 'canceled' : statusFromState(state);
  const progress = normaliseProgress(job.progress, status);
  const finishedOn = state === 'completed' || state === 'failed' ? job.finishedOn : undefined;
  const error = extra.error ?? failure;
  return {
    id: String(job.id),
    task: job.data.task,
    status,
    progress,
    cached: false,
    md5: job.data.md5,
    model: job.data.modelId,
    ...(extra.result !== undefined ? { result: extra.result } : {}),
    ...(error ? { error } : {}),
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: finishedOn ? new Date(finishedOn).toISOString() : null,
    timings: {
      ...(job.processedOn ? { queuedMs: job.processedOn - job.timestamp } : {}),
      ...(job.processedOn && finishedOn ? { processingMs: finishedOn - job.processedOn } : {}),
      ...(finishedOn ? { totalMs: finishedOn - job.timestamp } : {}),
      attempts: job.attemptsMade,
    },
    links: linksFor(String(job.id), job.data.task, extra.result, job.data.options),
  };
}

function normaliseProgress(raw: unknown, status: JobStatus): JobProgress {
  if (status === 'completed') return { stage: 'done', percent: 100 };
  if (status === 'canceled') return { stage: 'canceled', percent: 0 };
  if (raw && typeof raw === 'object' && 'stage' in raw && 'percent' in raw) {
    const p = raw as JobProgress;
    const frames =
      typeof p.framesDone === 'number'
        ? { framesDone: p.framesDone, framesTotal: Number(p.framesTotal) }
        : {};
    return { stage: String(p.stage), percent: Number(p.percent), ...frames };
  }
  return { stage: status === 'active' ? 'decoding' : 'queued', percent: 0 };
}
