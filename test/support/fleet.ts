/**
 * Helpers for tests that run several worker processes against one queue: distinct uploads
 * (so neither the result cache nor deduplication folds jobs together), bulk submission, and
 * reading back which worker finished which job from the workers' JSON log lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { SHARED, sleep, type Platform, type ProcessHandle } from './platform';

const COCO = path.join(SHARED, 'data', 'coco128', 'images', 'train2017');

/**
 * `count` JPEGs that differ in their bytes: the coco128 photos in turn, each with a JPEG
 * comment segment (FF FE) naming `tag` and its index right after the start-of-image marker.
 * Decoders skip comments, so the pixels (and the detections) are the photo's own.
 */
export function distinctJpegs(count: number, tag: string): Buffer[] {
  if (!fs.existsSync(COCO)) throw new Error(`${COCO} is missing (../shared/data must sit beside the repo)`);
  const photos = fs
    .readdirSync(COCO)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => fs.readFileSync(path.join(COCO, f)));
  return Array.from({ length: count }, (_, i) => {
    const photo = photos[i % photos.length];
    const text = Buffer.from(`argus ${tag} ${i}`);
    const segment = Buffer.alloc(4);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([photo.subarray(0, 2), segment, text, photo.subarray(2)]);
  });
}

/** POSTs every image as a detect job, `parallel` at a time; returns the job ids in order. */
export async function submitAll(
  platform: Platform,
  images: Buffer[],
  parallel = 8,
  fields: Record<string, string> = {},
): Promise<string[]> {
  const ids: string[] = new Array<string>(images.length);
  let next = 0;
  const lane = async () => {
    while (next < images.length) {
      const i = next++;
      const res = await platform.post(
        '/v1/jobs',
        { bytes: images[i], name: `img-${i}.jpg`, type: 'image/jpeg' },
        { task: 'detect', ...fields },
      );
      if (res.status !== 202)
        throw new Error(`submit ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
      ids[i] = res.body.id as string;
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return ids;
}

/** Waits until the queue has `total` completed jobs; fails early on a failed job. */
export async function waitForCompleted(
  queue: Queue,
  total: number,
  timeoutMs: number,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} job(s) failed\n${logs()}`);
    if ((counts.completed ?? 0) >= total) return;
    if (Date.now() > deadline)
      throw new Error(`only ${counts.completed} of ${total} jobs completed in ${timeoutMs} ms\n${logs()}`);
    await sleep(200);
  }
}

/** One parsed JSON log line of a process (LOG_JSON=true); other lines are skipped. */
export function jsonLines(handle: ProcessHandle): Record<string, unknown>[] {
  return handle.output
    .join('')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** The ids of the jobs a worker process logged as done, in the order it finished them. */
export function jobsDoneBy(handle: ProcessHandle): string[] {
  return jsonLines(handle)
    .filter((l) => l.msg === 'job done')
    .map((l) => String(l.jobId));
}

/** How many times each job id was logged as done, over all the given workers. */
export function doneCounts(workers: ProcessHandle[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of workers) for (const id of jobsDoneBy(w)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Resident set size of a process in bytes (Linux /proc), or undefined once it is gone. */
export function rssBytes(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used, in seconds (Linux /proc). */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
    return ticks / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux Node supports. */
const CLOCK_TICKS = 100;

/** Samples the peak RSS of processes every `everyMs` until `stop()` is called. */
export function sampleRss(handles: () => ProcessHandle[], everyMs = 250): { stop(): Map<string, number> } {
  const peaks = new Map<string, number>();
  const take = () => {
    for (const h of handles()) {
      const rss = rssBytes(h.child.pid);
      if (rss !== undefined) peaks.set(h.name, Math.max(peaks.get(h.name) ?? 0, rss));
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peaks;
    },
  };
}
