/**
 * What the fault suites share: webhook settings for the test receiver, a one-detector worker,
 * distinct images, submitting, polling through outages, killing processes hard and waiting
 * for a condition.
 */
import sharp from 'sharp';
import { sample, sleep, type Platform, type ProcessHandle } from './platform';

export const SECRET = 'faults-secret-0123456789abcdef';
/** Webhook settings that let deliveries go to the test receiver on 127.0.0.1, retried quickly. */
export const WEBHOOKS = {
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_BACKOFF_MS: '200',
  WEBHOOK_TIMEOUT_MS: '2000',
};
/** One small detector is enough to exercise the queue; it also keeps start-up short. */
export const DETECT_ONLY = { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n' };

/** `count` JPEGs with the same scene and distinct bytes (distinct cache keys, no coalescing). */
export async function distinctImages(count: number, width = 320): Promise<Buffer[]> {
  const base = sample('zidane.jpg').bytes;
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp(base)
        .resize(width + 2 * i)
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
}

export async function submit(
  platform: Platform,
  image: Buffer,
  fields: Record<string, string> = {},
): Promise<string> {
  const res = await platform.post(
    '/v1/jobs',
    { bytes: image, name: 'f.jpg', type: 'image/jpeg' },
    { task: 'detect', ...fields },
  );
  if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Polls a job through outages: network errors and 503 `unavailable` are waited out, like a
 * client with retries would. Resolves with the finished view.
 */
export async function pollThrough(url: string, id: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/jobs/${id}`, { signal: AbortSignal.timeout(5_000) });
      const body: any = await res.json();
      if (res.status === 200 && ['completed', 'failed', 'canceled'].includes(body.status)) return body;
      last = res.status === 200 ? body.status : `${res.status} ${body?.error?.code}`;
      if (res.status !== 200 && body?.error?.code !== 'unavailable')
        throw new Error(`GET /v1/jobs/${id}: ${last}`);
    } catch (err) {
      if (/GET \/v1\/jobs/.test((err as Error).message)) throw err;
      last = (err as Error).message;
    }
    await sleep(150);
  }
  throw new Error(`job ${id} did not finish within ${timeoutMs} ms (last: ${last})`);
}

/** A finished job is either completed or failed with a real code, never "internal". */
export function expectFinishedWithReason(view: any): void {
  expect(['completed', 'failed']).toContain(view.status);
  if (view.status === 'failed') {
    expect(view.error.code).not.toBe('internal');
    expect(view.error.message.length).toBeGreaterThan(5);
  }
}

export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function killHard(handle: ProcessHandle): Promise<void> {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  handle.child.kill('SIGKILL');
  await handle.exited;
}

export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
