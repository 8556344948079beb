/*
 * What the API answers, as the client sees it: the contracts' own types (zod-inferred in
 * @argus/contracts), imported with `import type` so they vanish from the compiled JS. The
 * client keeps needing nothing but fetch at run time; only the type checker reads
 * @argus/contracts, so the shapes cannot drift from the server's.
 */
import type { JobResult, JobView as ContractJobView } from '@argus/contracts';

export type {
  Box,
  DetectResult,
  Detection,
  JobLinks,
  JobStatus,
  ModelInfo,
  ModelList,
  ModelState,
  NotReady,
  ParsePerson,
  ParseResult,
  Ready,
  RleMask,
  SegmentInstance,
  SegmentResult,
  Task,
} from '@argus/contracts';

/** `GET /v1/jobs/:id`, with `result` narrowed to the task's result type where it is known. */
export type JobView<R = JobResult> = Omit<ContractJobView, 'result'> & { result?: R };

/** Later API versions may add states; the terminal ones are completed, failed and canceled. */
export const TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'canceled'];

export function isTerminal(view: Pick<JobView, 'status'>): boolean {
  return TERMINAL_STATUSES.includes(view.status);
}
