/**
 * Track begin/end webhooks of a live stream, through the real platform: a loopback MJPEG
 * camera that shows zidane.jpg (two people) for 2 s, then an empty black frame for 4 s, in a
 * loop; a real worker tracks the people; a real local HTTP receiver gets the signed
 * deliveries (the job webhooks' signing, queue and delivery log).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { verifyWebhookSignature } from '@argus/webhooks';
import { MjpegServer } from './support/mjpeg-server';
import { TestReceiver } from './support/receiver';
import { SAMPLES, startPlatform, type Platform } from './support/platform';
import { tempDir } from './support/test-videos';

const SECRET = 'stream-webhook-secret-0123456789';
const dir = tempDir('stream-webhooks');
let platform: Platform;
let camera: MjpegServer;
let receiver: TestReceiver;

beforeAll(async () => {
  const jpeg = (name: string, input: string[]) => {
    const out = path.join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...input, '-vf', 'scale=480:360', '-frames:v', '1', out]);
    return fs.readFileSync(out);
  };
  const people = jpeg('people.jpg', ['-i', path.join(SAMPLES, 'zidane.jpg')]);
  const empty = jpeg('empty.jpg', ['-f', 'lavfi', '-i', 'color=black:s=480x360']);
  camera = new MjpegServer([...Array<Buffer>(20).fill(people), ...Array<Buffer>(40).fill(empty)], 10);
  await camera.start();
  receiver = new TestReceiver();
  await receiver.start();
  platform = await startPlatform({
    workers: 1,
    env: {
      WORKER_TASKS: 'detect',
      WORKER_MODELS: 'yolov8n',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      STREAM_LEASE_MS: '1500',
    },
    gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true' },
  });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await camera?.stop();
  await receiver?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${platform.url}/v1/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('track webhooks of a live stream', () => {
  it('refuses a callbackUrl the job webhooks would refuse', async () => {
    const refused = await post({ url: camera.url, callbackUrl: 'ftp://example.com/hook' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_callback_url');
  });

  it('sends signed track.begin for each person and track.end once they leave the picture', async () => {
    const created = await post({ url: camera.url, fps: 4, callbackUrl: `${receiver.url}/tracks` });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.callbackUrl).toBe(`${receiver.url}/tracks`);
    // Two people appear, then the picture goes empty for 4 s: both tracks end (2 s unseen).
    await receiver.waitFor('/tracks', 2, 60_000);
    const deliveries = receiver.on('/tracks');
    for (const d of deliveries) {
      expect(
        verifyWebhookSignature(
          SECRET,
          d.rawBody,
          d.headers['x-argus-timestamp'] as string,
          d.headers['x-argus-signature'] as string,
        ),
      ).toBe(true);
      expect(d.headers['x-argus-event']).toBe(d.body.event);
      expect(d.body.stream).toEqual({ id, url: camera.url });
    }
    const people = (event: string) =>
      deliveries
        .filter(
          (d) =>
            d.body.event === event && d.body.track.label === 'person' && d.body.track.bestConfidence > 0.6,
        )
        .map((d) => d.body);
    const begins = people('track.begin');
    expect(begins.length).toBeGreaterThanOrEqual(2);
    const ends = await (async () => {
      for (let i = 0; i < 300; i++) {
        const found = receiver
          .on('/tracks')
          .map((d) => d.body)
          .filter((b) => b.event === 'track.end');
        const endedIds = new Set(found.map((b) => b.track.trackId));
        if (begins.slice(0, 2).every((b) => endedIds.has(b.track.trackId))) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `no track.end for ${JSON.stringify(begins.map((b) => b.track.trackId))}: ${JSON.stringify(receiver.on('/tracks').map((d) => [d.body.event, d.body.track.trackId, d.body.track.label]))}\n${JSON.stringify(await (await fetch(`${platform.url}/v1/streams/${id}`)).json())}`,
      );
    })();
    for (const begin of begins.slice(0, 2)) {
      const end = ends.find((e) => e.track.trackId === begin.track.trackId)!;
      expect(end.reason).toBe('lost');
      expect(end.track.frames).toBeGreaterThanOrEqual(1);
      expect(Date.parse(end.track.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(begin.track.firstSeenAt));
      expect(end.deliveryId).not.toBe(begin.deliveryId);
    }
    // The deliveries are logged under the stream, like a job's, and go with it.
    const sent = [...begins.slice(0, 2), ...ends.slice(0, 2)];
    // The worker logs each attempt once the receiver's answer is in: wait for the last ones.
    let listed: any;
    for (let i = 0; i < 50; i++) {
      listed = await (await fetch(`${platform.url}/v1/streams/${id}/deliveries`)).json();
      const done = new Set(
        listed.deliveries.filter((d: any) => d.status === 'delivered').map((d: any) => d.deliveryId),
      );
      if (sent.every((b) => done.has(b.deliveryId))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed.streamId).toBe(id);
    const byId = new Map<string, any>(listed.deliveries.map((d: any) => [d.deliveryId, d]));
    for (const b of sent) {
      expect(byId.get(b.deliveryId)).toMatchObject({
        event: b.event,
        url: `${receiver.url}/tracks`,
        status: 'delivered',
        attempts: [expect.objectContaining({ statusCode: 200, outcome: 'delivered' })],
      });
    }
    const del = await fetch(`${platform.url}/v1/streams/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await platform.redis.exists(`${platform.prefix}:deliveries:{${id}}`)).toBe(0);
  }, 120_000);
});
