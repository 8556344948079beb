import { AppError } from '@argus/contracts';
import type { CancelFlags, JobEvents, JobRecord, JobRecordStore, UploadStore } from '@argus/queue';
import type { JobView } from './job-view';
import { recordView, snapshotOfRecord } from './job-record-view';
import type { ArgusJob, JobLookup } from './job-lookup';
import { canSee, type Access } from '../auth/access';
import { isJobId, jobNotFound as notFound } from './job-id';

export interface JobCancelDeps {
  lookup: JobLookup;
  records: JobRecordStore;
  uploads: UploadStore;
  cancels: CancelFlags;
  jobEvents: JobEvents;
}

/**
 * DELETE /v1/jobs/:id. A queued job is removed from its queue at once (200, `canceled`);
 * a running job is asked to stop at its next stage boundary (202, `cancelRequested`);
 * a finished one cannot be canceled (409 already_finished).
 */
export async function cancelJob(
  deps: JobCancelDeps,
  id: string,
  access: Access,
): Promise<{ view: JobView; accepted: boolean }> {
  if (!isJobId(id)) throw notFound(id);
  const job = await deps.lookup.findJob(id);
  if (job && !canSee(access, job.data.owner)) throw notFound(id);
  if (!job) {
    const record = await deps.lookup.record(id);
    if (record && canSee(access, record.owner))
      throw new AppError('already_finished', `job ${id} has already finished`);
    if (!record) deps.lookup.throwIfLost(id);
    throw notFound(id);
  }
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') {
    throw new AppError('already_finished', `job ${id} has already finished`);
  }
  if (state !== 'active') {
    // The record goes first: waiters woken by the removal read it rather than a gap (a
    // job in BullMQ always wins over a record, so it is invisible until then).
    const record = canceledRecord(job);
    await deps.records.put(record);
    const removed = await job.remove().then(
      () => true,
      () => false, // it became active (locked) in the meantime
    );
    if (removed) {
      await deps.uploads.delete(job.data.blobKey);
      await deps.jobEvents.ended(snapshotOfRecord(record));
      return { view: recordView(record, null), accepted: false };
    }
    await deps.records.delete(record.id);
  }
  await deps.cancels.request(id);
  const view = await deps.lookup.viewOf(job, 'active');
  return { view: { ...view, cancelRequested: true }, accepted: true };
}

function canceledRecord(job: ArgusJob): JobRecord {
  return {
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
}
