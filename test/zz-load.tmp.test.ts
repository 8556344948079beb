import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SHARED, sample, sleep, startPlatform } from './support/platform';
import { TestPrometheus, prometheusConfigFor } from './support/prometheus';

it('load for the dashboard picture', async () => {
  const platform = await startPlatform({ workers: 2, env: { METRICS_PUSH_INTERVAL_MS: '2000', WORKER_CONCURRENCY: '2' } });
  const prom = await TestPrometheus.start(prometheusConfigFor(new URL(platform.url).host, '2s'));
  const coco = path.join(SHARED, 'data/coco128/images/train2017');
  const images = fs.readdirSync(coco).slice(0, 24).map((f) => ({ bytes: fs.readFileSync(path.join(coco, f)), name: f, type: 'image/jpeg' }));
  images.push(sample('bus.jpg'), sample('zidane.jpg'));
  const pick = <T,>(a: T[]) => a[Math.floor(Math.random() * a.length)];
  const started = Date.now();
  const minutes = Number(process.env.LOAD_MINUTES ?? 9);
  const inflight: Promise<unknown>[] = [];
  let burst1 = false, burst2 = false;
  try {
    while (Date.now() - started < minutes * 60_000) {
      const t = (Date.now() - started) / 60_000;
      const r = Math.random();
      const fire = (p: Promise<unknown>) => inflight.push(p.catch(() => undefined));
      if (!burst1 && t > 3) {
        burst1 = true;
        for (let i = 0; i < 40; i++) fire(platform.post('/v1/jobs', pick(images), { task: 'detect', confidence: (0.2 + Math.random() * 0.5).toFixed(3) }));
      }
      if (!burst2 && t > 6) {
        burst2 = true;
        for (let i = 0; i < 10; i++) fire(platform.post('/v1/jobs', pick(images), { task: 'parse', threshold: (0.3 + Math.random() * 0.4).toFixed(3), priority: pick(['low', 'normal', 'high']) }));
      }
      if (r < 0.55) fire(platform.post('/v1/jobs', pick(images), { task: 'detect', confidence: pick(['0.25', '0.3', '0.35', '0.4', '0.5', (0.2 + Math.random() * 0.5).toFixed(3)]) }));
      else if (r < 0.7) fire(platform.post('/v1/jobs', pick(images), { task: 'parse', threshold: pick(['0.5', '0.6', (0.3 + Math.random() * 0.4).toFixed(3)]) }));
      else if (r < 0.8) fire(platform.post('/detect', pick(images), { confidence: pick(['0.3', '0.45']) }, 'file'));
      else if (r < 0.85) fire(platform.post('/v1/jobs', { bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'), name: 'a.gif' }, { task: 'detect' }));
      else if (r < 0.88) fire(platform.post('/v1/jobs', pick(images), { task: 'detect', iou: '7' }));
      else if (r < 0.9) { const b = pick(images).bytes; fire(platform.post('/v1/jobs', { bytes: b.subarray(0, b.length >> 1), name: 't.jpg' }, { task: 'detect', confidence: Math.random().toFixed(4) })); }
      else fire(platform.get('/readyz'));
      await sleep(250 + Math.random() * 500);
    }
    await Promise.all(inflight);
    await sleep(5000);
    for (const [out, rows] of [
      ['docs/images/metrics-dashboard.png', ''],
    ]) {
      const res = spawnSync(process.execPath, ['deploy/grafana/preview/render.mjs', '--prometheus', prom.url, '--out', out, '--minutes', String(minutes), ...(rows ? ['--rows', rows] : [])], { encoding: 'utf8' });
      console.log(res.stdout, res.stderr);
    }
    fs.writeFileSync('/tmp/prom-url.txt', prom.url);
    // Keep Prometheus for re-renders while /tmp/keep-prom exists.
    while (fs.existsSync('/tmp/keep-prom')) await sleep(1000);
  } finally {
    await prom.stop();
    await platform.stop();
  }
}, 60 * 60_000);
