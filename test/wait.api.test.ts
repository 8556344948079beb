/**
 * Results without polling, through the real gateway, worker, BullMQ and Redis: `?wait=N`
 * long-poll, the `/v1/jobs/:id/events` stream (framing, resume, heartbeats, bound on
 * waiters), `Prefer: wait=N`, and a gateway restart while clients wait. The worker starts
 * late so jobs sit queued until a test lets them run.
 */
import net from 'node:net';
import { ArgusClient, readEventStream, type ServerSentEvent } from '@argus/client';
import { sample, sleep, startPlatform, type Platform } from './support/platform';

const MAX_WAITERS = 4;

/** Opens an event stream and collects its events (and raw text) until it closes. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const events: ServerSentEvent[] = [];
  let raw = '';
  const response = fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const finished = (async () => {
    const res = await response;
    if (!res.ok || !res.body) return res.status;
    const [forEvents, forText] = res.body.tee();
    const text = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of forText as unknown as AsyncIterable<Uint8Array>) raw += decoder.decode(chunk);
    })().catch(() => undefined);
    for await (const event of readEventStream(forEvents)) events.push(event);
    await text;
    return res.status;
  })();
  return { response, finished, events, raw: () => raw, abort: () => controller.abort() };
}

describe('waiting for jobs without polling', () => {
  let platform: Platform;
  // The gateway restarts on a new port mid-file, so the client follows platform.url.
  const client = () => new ArgusClient({ url: platform.url });

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 0,
      gatewayEnv: { MAX_WAITERS: String(MAX_WAITERS), SSE_HEARTBEAT_MS: '300' },
    });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('answers a waiter on an unknown id with 404 at once, for long-poll and stream', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const started = Date.now();
    const poll = await platform.get(`/v1/jobs/${id}?wait=60`);
    expect(poll.status).toBe(404);
    expect(poll.body.error.code).toBe('not_found');
    const stream = await fetch(`${platform.url}/v1/jobs/${id}/events`);
    expect(stream.status).toBe(404);
    expect((await stream.json()).error.code).toBe('not_found');
    // Far below either wait: nobody waited.
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(client().wait(id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('refuses a bad wait with 400 invalid_option', async () => {
    const res = await platform.get(`/v1/jobs/00000000-0000-4000-8000-000000000000?wait=61`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_option');
  });

  it('answers a long-poll on a queued job after N seconds with its current view', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.31' });
    expect(submit.status).toBe(202);
    const started = Date.now();
    const poll = await platform.get(`/v1/jobs/${submit.body.id}?wait=1`);
    expect(poll.status).toBe(200);
    expect(poll.body.status).toBe('queued');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('keeps a stream on a queued job alive with comment heartbeats', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.32' });
    const stream = openStream(`${platform.url}/v1/jobs/${submit.body.id}/events`);
    const res = await stream.response;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await sleep(1500);
    stream.abort();
    await stream.finished.catch(() => undefined);
    // The queued state as the first progress event (id = percent), then heartbeats only.
    expect(stream.events.map((e) => [e.event, e.id])).toEqual([['progress', '0']]);
    expect(JSON.parse(stream.events[0].data)).toMatchObject({ id: submit.body.id, status: 'queued' });
    expect(stream.raw().match(/^:.*\n\n/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('bounds the waiters: past MAX_WAITERS a new one gets 503 with Retry-After, and closed ones are freed', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.33' });
    const id = submit.body.id as string;
    const holders = Array.from({ length: MAX_WAITERS }, () =>
      openStream(`${platform.url}/v1/jobs/${id}/events`),
    );
    for (const h of holders) expect((await h.response).status).toBe(200);
    const refused = await fetch(`${platform.url}/v1/jobs/${id}?wait=5`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error.code).toBe('unavailable');
    // A submit asking to wait is still accepted: 202 without Preference-Applied, never 503.
    const form = new FormData();
    form.append('task', 'detect');
    form.append('confidence', '0.38');
    form.append('image', new Blob([new Uint8Array(sample('bus.jpg').bytes)]), 'bus.jpg');
    const submitted = await fetch(`${platform.url}/v1/jobs`, {
      method: 'POST',
      body: form,
      headers: { Prefer: 'wait=5' },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get('preference-applied')).toBeNull();
    for (const h of holders) h.abort();
    await Promise.all(holders.map((h) => h.finished.catch(() => undefined)));
    // The gateway notices the closed streams and frees their places.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${platform.url}/v1/jobs/${id}?wait=0.1`)).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });

  it('answers Prefer: wait=N with 202 when the job does not end in time', async () => {
    const form = new FormData();
    form.append('task', 'detect');
    form.append('confidence', '0.34');
    form.append('image', new Blob([new Uint8Array(sample('bus.jpg').bytes)]), 'bus.jpg');
    const res = await fetch(`${platform.url}/v1/jobs`, {
      method: 'POST',
      body: form,
      headers: { Prefer: 'wait=1' },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('preference-applied')).toBe('wait=1');
    expect((await res.json()).status).toBe('queued');
  });

  it('ends long-polls and streams cleanly when the gateway restarts, and clients carry on', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect' });
    const id = submit.body.id as string;
    const poll = fetch(`${platform.url}/v1/jobs/${id}?wait=60`).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { status: string },
    }));
    const stream = openStream(`${platform.url}/v1/jobs/${id}/events`);
    expect((await stream.response).status).toBe(200);
    await sleep(300);

    const old = platform.gateway!;
    const started = Date.now();
    old.child.kill('SIGTERM');
    // The long-poll is answered with what is known; the stream ends without a terminal event.
    const answered = await poll;
    expect(answered).toMatchObject({ status: 200, body: { status: 'queued' } });
    await stream.finished;
    expect(stream.events.map((e) => e.event)).toEqual(['progress']);
    expect(await old.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);

    platform.processes.splice(platform.processes.indexOf(old), 1);
    await platform.startGateway();
    const worker = platform.startWorker();
    await platform.waitForWorkerReady(worker);

    // Resuming after the queued event: no repeat of it, progress, then the end.
    const resumed = openStream(`${platform.url}/v1/jobs/${id}/events`, { 'Last-Event-ID': '0' });
    expect(await resumed.finished).toBe(200);
    const names = resumed.events.map((e) => e.event);
    expect(names[names.length - 1]).toBe('completed');
    expect(names.filter((n) => n === 'completed')).toHaveLength(1);
    const ids = resumed.events.map((e) => e.id);
    expect(ids).not.toContain('0');
    expect(ids[ids.length - 1]).toBe('end');
    const percents = ids.slice(0, -1).map(Number);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(new Set(percents).size).toBe(percents.length);
    const final = JSON.parse(resumed.events[resumed.events.length - 1].data);
    expect(final).toMatchObject({ id, status: 'completed' });
    expect(final.result.detections.length).toBeGreaterThan(0);
  }, 120_000);

  describe('with a worker', () => {
    it('sends an ended job its terminal event at once, and 204 after Last-Event-ID: end', async () => {
      const view = await client().detect(sample('bus.jpg').bytes, { confidence: '0.35' });
      expect(view.status).toBe('completed');
      const stream = openStream(`${platform.url}/v1/jobs/${view.id}/events`);
      expect(await stream.finished).toBe(200);
      expect(stream.events.map((e) => [e.event, e.id])).toEqual([['completed', 'end']]);
      const after = await fetch(`${platform.url}/v1/jobs/${view.id}/events`, {
        headers: { 'Last-Event-ID': 'end' },
      });
      expect(after.status).toBe(204);
      const poll = await platform.get(`/v1/jobs/${view.id}?wait=30`);
      expect(poll.body.status).toBe('completed');
    });

    it('answers a long-poll as soon as the job ends', async () => {
      const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
        task: 'detect',
        confidence: '0.36',
      });
      const poll = await platform.get(`/v1/jobs/${submit.body.id}?wait=60`);
      expect(poll.status).toBe(200);
      expect(poll.body.status).toBe('completed');
      expect(poll.body.result.detections.length).toBeGreaterThan(0);
    });

    it('answers Prefer: wait=N with 200 and the final view when the job ends in time', async () => {
      const form = new FormData();
      form.append('task', 'detect');
      form.append('confidence', '0.37');
      form.append('image', new Blob([new Uint8Array(sample('zidane.jpg').bytes)]), 'zidane.jpg');
      const res = await fetch(`${platform.url}/v1/jobs`, {
        method: 'POST',
        body: form,
        headers: { Prefer: 'respond-async, wait=30' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('preference-applied')).toBe('wait=30');
      const body = await res.json();
      expect(body).toMatchObject({ status: 'completed', cached: false });
      expect(body.result.detections.length).toBeGreaterThan(0);
    });

    it('streams a canceled job its canceled event', async () => {
      // A queued job behind a busy worker is canceled before it runs; with one idle worker
      // it may start at once, so either terminal event is an honest end, but it is one.
      const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'parse' });
      const stream = openStream(`${platform.url}/v1/jobs/${submit.body.id}/events`);
      expect((await stream.response).status).toBe(200);
      await fetch(`${platform.url}/v1/jobs/${submit.body.id}`, { method: 'DELETE' });
      expect(await stream.finished).toBe(200);
      const last = stream.events[stream.events.length - 1];
      expect(['canceled', 'completed']).toContain(last.event);
      expect(last.id).toBe('end');
      expect(JSON.parse(last.data).status).toBe(last.event);
    }, 120_000);
  });
});

/** A port free right now (the gateway restarts on it, so clients find it again). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a client waiting through a gateway restart', () => {
  it('reconnects with Last-Event-ID and gets the end, with progress seen once each', async () => {
    const port = String(await freePort());
    const platform = await startPlatform({ workers: 0, gatewayEnv: { PORT: port } });
    try {
      const client = new ArgusClient({ url: platform.url });
      const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
      const seen: string[] = [];
      const waiting = client.wait(submit.body.id, {
        onProgress: (v) => seen.push(`${v.status}:${v.progress.percent}`),
      });
      await sleep(500);
      const old = platform.gateway!;
      old.child.kill('SIGTERM');
      expect(await old.exited).toBe(0);
      platform.processes.splice(platform.processes.indexOf(old), 1);
      await platform.startGateway({ PORT: port });
      const worker = platform.startWorker();
      await platform.waitForWorkerReady(worker);
      const view = await waiting;
      expect(view).toMatchObject({ id: submit.body.id, status: 'completed' });
      expect(seen[0]).toBe('queued:0');
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await platform.stop();
    }
  }, 120_000);
});

describe('a gateway killed outright', () => {
  it('fails a waiting client with a clean network error, never a hang', async () => {
    const platform = await startPlatform({ workers: 0 });
    try {
      const client = new ArgusClient({ url: platform.url, maxReconnects: 2 });
      const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
      const waiting = client.wait(submit.body.id);
      await sleep(300);
      platform.gateway!.child.kill('SIGKILL');
      await expect(waiting).rejects.toMatchObject({ code: 'network' });
    } finally {
      await platform.stop();
    }
  }, 60_000);
});
