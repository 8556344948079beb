import { AppError } from '@argus/contracts';

/**
 * Job ids are UUIDs (crypto.randomUUID). Anything else answers 404 before it reaches Redis:
 * `meta`, `id`, `events`, … are BullMQ's own keys beside the jobs, and `DELETE /v1/jobs/meta`
 * must not touch them.
 */
export function isJobId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}

export function jobNotFound(id: string): AppError {
  return new AppError('not_found', `no job with id ${id} (it may have expired)`);
}
