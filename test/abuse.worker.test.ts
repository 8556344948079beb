/**
 * Abuse at the worker, with the real models (issue 17, docs/reliability.md "Bounded under
 * abuse"): capped render sizes, wait time in a job's timings, a per-job deadline that fails
 * a decode bomb with `timeout` instead of holding the worker, and a shutdown that hands an
 * unfinished job back to the queue after its grace period so another worker takes it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { sample, sleep, startPlatform, type Platform } from './support/platform';

jest.setTimeout(300_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-abuse-worker-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A 40 MP greyscale progressive JPEG with 100 scans (jpegtran's most per script), made by
 * libjpeg-turbo's cjpeg and jpegtran: ~3 s of decoding on an idle core, longer under load.
 */
function decodeBomb(): Buffer {
  const [width, height] = [8000, 5000];
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((i % width) * 7 + Math.floor(i / width) * 3) & 0xff;
  const pgm = path.join(tmp, 'card.pgm');
  fs.writeFileSync(pgm, Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`), pixels]));
  const baseline = execFileSync('cjpeg', ['-quality', '90', pgm], { maxBuffer: 1 << 30 });
  const script: string[] = [
    '0: 0 0 0 9;',
    ...[9, 8, 7, 6, 5, 4, 3, 2, 1].map((a) => `0: 0 0 ${a} ${a - 1};`),
  ];
  for (let b = 0; b < 9; b++) {
    const [s, e] = [1 + 7 * b, 7 + 7 * b];
    script.push(
      `0: ${s} ${e} 0 9;`,
      ...[9, 8, 7, 6, 5, 4, 3, 2, 1].map((a) => `0: ${s} ${e} ${a} ${a - 1};`),
    );
  }
  fs.writeFileSync(path.join(tmp, 'scans.txt'), script.join('\n'));
  return execFileSync('jpegtran', ['-scans', path.join(tmp, 'scans.txt')], {
    input: baseline,
    maxBuffer: 1 << 30,
  });
}

async function waitForState(p: Platform, id: string, states: string[], timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await p.queue('parse').getJob(id);
    const state = job ? await job.getState() : 'missing';
    if (states.includes(state)) return state;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${state}\n${p.logs()}`);
    await sleep(50);
  }
}

describe('worker bounds', () => {
  let platform: Platform;
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = decodeBomb();
    platform = await startPlatform({
      // The gateway lets the bomb through so the worker's own bounds are what is tested.
      gatewayEnv: { MAX_JPEG_SCANS: '1000', MAX_JPEG_SCAN_PIXELS: String(1e13) },
      workerEnv: { JOB_DEADLINE_MS: '2500', MAX_RENDER_PIXELS: '200000' },
    });
  });
  afterAll(() => platform.stop());

  it('draws overlays no larger than MAX_RENDER_PIXELS and says so in the result', async () => {
    const bus = sample('bus.jpg'); // 810×1080
    const res = await platform.post('/v1/jobs', bus, { task: 'detect', overlay: 'true' });
    expect(res.status).toBe(202);
    const done = await platform.waitForJob(res.body.id, 60_000);
    expect(done.status).toBe('completed');
    expect(done.result.overlay.scale).toBeLessThan(1);
    // The job's timings count the time it waited on its worker.
    expect(done.result.timings.pixelWaitMs).toBeGreaterThanOrEqual(0);
    expect(done.result.timings.threadWaitMs).toBeGreaterThanOrEqual(0);
    const png = Buffer.from(
      await (await fetch(`${platform.url}/v1/jobs/${res.body.id}/overlay.png`)).arrayBuffer(),
    );
    const meta = await sharp(png).metadata();
    expect(meta.width * meta.height).toBeLessThanOrEqual(200_000);
    expect([meta.width, meta.height]).toEqual([done.result.overlay.width, done.result.overlay.height]);
    // Boxes stay in original-image pixels.
    expect(done.result.image).toEqual({ width: 810, height: 1080 });

    const parse = await platform.post('/api/parse', sample('zidane.jpg'), {});
    expect(parse.status).toBe(200);
    const inline = await sharp(Buffer.from(parse.body.result_image, 'base64')).metadata();
    expect(inline.width * inline.height).toBeLessThanOrEqual(200_000);
    expect(parse.body.result_image_size.width).toBe(inline.width);
  });

  it('fails a decode bomb with `timeout` at the deadline, once, without retrying it', async () => {
    const res = await platform.post('/v1/jobs', { bytes: bomb, name: 'bomb.jpg' }, { task: 'parse' });
    expect(res.status).toBe(202);
    const done = await platform.waitForJob(res.body.id, 120_000);
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('timeout');
    const job = await platform.queue('parse').getJob(res.body.id);
    expect(job!.attemptsMade).toBe(1);
    // The worker is still serving.
    const after = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
    expect((await platform.waitForJob(after.body.id, 60_000)).status).toBe('completed');
  });

  it('hands a held job back after SHUTDOWN_GRACE_MS; another worker takes it at once', async () => {
    // Stop the first worker, start one with a long deadline and a short grace period.
    const first = platform.processes.find((p) => p.name.startsWith('worker'))!;
    first.child.kill('SIGTERM');
    await first.exited;
    const slow = platform.startWorker({
      WORKER_TASKS: 'parse',
      JOB_DEADLINE_MS: '120000',
      SHUTDOWN_GRACE_MS: '300',
    });
    await platform.waitForWorkerReady(slow, 60_000);
    // Distinct bytes from the failed bomb above (a different cache key).
    const res = await platform.post(
      '/v1/jobs',
      { bytes: Buffer.concat([bomb, Buffer.from('x')]), name: 'bomb2.jpg' },
      { task: 'parse' },
    );
    expect(res.status).toBe(202);
    await waitForState(platform, res.body.id, ['active']);
    const stopAt = Date.now();
    slow.child.kill('SIGTERM');
    await slow.exited;
    const stopMs = Date.now() - stopAt;
    // The job itself runs far longer (40 MP, 100 scans: seconds of decoding before the model).
    expect(stopMs).toBeLessThan(6000);
    expect(await waitForState(platform, res.body.id, ['waiting', 'prioritized'], 5000)).toMatch(
      /waiting|prioritized/,
    );
    const job = await platform.queue('parse').getJob(res.body.id);
    expect(job!.attemptsMade).toBe(0); // handing back is not a failed attempt
    expect(slow.output.join('')).toMatch(/handing held jobs back/);

    const next = platform.startWorker({ WORKER_TASKS: 'parse', JOB_DEADLINE_MS: '2500' });
    await platform.waitForWorkerReady(next, 60_000);
    const done = await platform.waitForJob(res.body.id, 120_000);
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('timeout');
    console.log(`bounded shutdown: worker exited ${stopMs} ms after SIGTERM with a job in hand`);
  });
});
