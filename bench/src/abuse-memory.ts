/**
 * `npm run abuse`: the worst accepted input inside the shipped memory limits (issue 17).
 *
 * Reads the gateway's and the worker's memory limits from docker-compose.yml (k8s/base
 * ships the same), runs one gateway and one worker (default settings) each inside a memory
 * cgroup at that limit, and sends at once: four synchronous `POST /api/parse` and two
 * `POST /v1/jobs` parses of a 40 MP photo with 18 people (zidane.jpg tiled 3×3, upscaled:
 * just under MAX_PIXELS), and two detect jobs with overlays of it. It reports each cgroup's
 * peak memory, OOM kills, the answers and their sizes, and the stored overlay's size.
 *
 * Needs root and a memory cgroup hierarchy; without them it says why and measures peak RSS
 * (VmHWM) against the limits instead. Exits 1 when a process died or was OOM-killed, or a
 * request did not succeed. Uses the local Redis under a random key prefix, deleted after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { parse as parseYaml } from 'yaml';
import { Redis } from 'ioredis';
import { REPO_ROOT } from './images';
import { createMemoryCgroup, type MemoryCgroup } from './memory-cgroup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MiB = 1024 * 1024;
const SAMPLES = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'samples');

interface Service {
  name: 'gateway' | 'worker';
  limitBytes: number;
  child: ChildProcess;
  output: string[];
  cgroup?: MemoryCgroup;
  peakRss: number;
}

function composeLimit(service: string): number {
  const compose = parseYaml(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { deploy: { resources: { limits: { memory: string } } } }>;
  };
  const raw = String(compose.services[service].deploy.resources.limits.memory);
  const m = /^(\d+)([kmg])$/i.exec(raw);
  if (!m) throw new Error(`docker-compose.yml: cannot read ${service}'s memory limit "${raw}"`);
  return Number(m[1]) * { k: 1024, m: MiB, g: 1024 * MiB }[m[2].toLowerCase() as 'k' | 'm' | 'g'];
}

function vmHwm(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function start(
  name: Service['name'],
  script: string,
  env: Record<string, string>,
  cgroupNote: string[],
): Service {
  // ABUSE_<NAME>_LIMIT_MIB overrides the shipped limit (to find what a process needs).
  const override = Number(process.env[`ABUSE_${name.toUpperCase()}_LIMIT_MIB`]);
  const limitBytes = override > 0 ? override * MiB : composeLimit(name);
  const made = createMemoryCgroup(name, limitBytes);
  const cgroup = 'error' in made ? undefined : made;
  if ('error' in made) cgroupNote.push(`${name}: ${made.error}`);
  const command = `${cgroup ? `${cgroup.enterCommand} && ` : ''}exec "${process.execPath}" "${script}"`;
  const child = spawn('sh', ['-c', command], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  return { name, limitBytes, child, output, cgroup, peakRss: 0 };
}

async function waitFor(service: Service, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(service.output.join(''));
    if (m) return m[1] ?? m[0];
    if (service.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${service.name} did not start:\n${service.output.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** zidane.jpg (2 people) tiled 3×3 and upscaled to just under 40 MP: 18 people. */
async function crowdedPhoto(): Promise<Buffer> {
  const tile = fs.readFileSync(path.join(SAMPLES, 'zidane.jpg'));
  const { width = 1280, height = 720 } = await sharp(tile).metadata();
  const grid = await sharp({
    create: { width: width * 3, height: height * 3, channels: 3, background: '#000' },
  })
    .composite(
      Array.from({ length: 9 }, (_, i) => ({
        input: tile,
        left: (i % 3) * width,
        top: Math.floor(i / 3) * height,
      })),
    )
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(grid.data, { raw: grid.info }).resize(7296, 5472).jpeg({ quality: 85 }).toBuffer();
}

async function post(
  url: string,
  route: string,
  image: Buffer,
  fields: Record<string, string>,
  field = 'image',
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  // Distinct trailing bytes: distinct MD5s, so no answer comes from the cache or a shared job.
  form.append(field, new Blob([new Uint8Array(Buffer.concat([image, crypto.randomBytes(8)]))]), 'crowd.jpg');
  const started = Date.now();
  try {
    const res = await fetch(`${url}${route}`, { method: 'POST', body: form });
    const text = await res.text();
    return { route, status: res.status, bytes: text.length, body: text, ms: Date.now() - started };
  } catch (err) {
    // No answer at all (the connection dropped: e.g. the gateway was OOM-killed).
    const reason = `${(err as Error).message}: ${(err as Error & { cause?: Error }).cause?.message ?? ''}`;
    return { route, status: 0, bytes: 0, body: reason, ms: Date.now() - started };
  }
}

async function main(): Promise<void> {
  const prefix = `argus-abuse-${crypto.randomBytes(4).toString('hex')}`;
  const env = { KEY_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '0' };
  const notes: string[] = [];
  const photo = await crowdedPhoto();
  const meta = await sharp(photo).metadata();
  console.log(
    `input: ${meta.width}×${meta.height} (${((meta.width * meta.height) / 1e6).toFixed(1)} MP), ${(photo.length / MiB).toFixed(1)} MiB JPEG`,
  );

  const worker = start('worker', path.join(REPO_ROOT, 'apps/worker/dist/main.js'), env, notes);
  const gateway = start(
    'gateway',
    path.join(REPO_ROOT, 'apps/gateway/dist/main.js'),
    { ...env, HOST: '127.0.0.1', PORT: '0', SYNC_TIMEOUT_MS: '600000' },
    notes,
  );
  const services = [gateway, worker];
  const sampler = setInterval(() => {
    for (const s of services) s.peakRss = Math.max(s.peakRss, vmHwm(s.child.pid));
  }, 200);
  let failed = false;
  const redis = new Redis(REDIS_URL);
  try {
    const url = await waitFor(gateway, /gateway listening url=(\S+)/, 60_000);
    await waitFor(worker, /worker ready/, 180_000);
    const started = Date.now();
    const requests = [
      ...Array.from({ length: 4 }, () => post(url, '/api/parse', photo, {})),
      ...Array.from({ length: 2 }, () => post(url, '/v1/jobs', photo, { task: 'parse' })),
      ...Array.from({ length: 2 }, () => post(url, '/v1/jobs', photo, { task: 'detect', overlay: 'true' })),
    ];
    // A process that dies (OOM-killed) fails the run at once instead of leaving requests hanging.
    const died = new Promise<never>((_, reject) =>
      services.forEach((s) =>
        s.child.once('exit', (code, signal) => reject(new Error(`${s.name} exited (${code ?? signal})`))),
      ),
    );
    const answers = await Promise.race([Promise.all(requests), died]);
    // The queued jobs: wait for each to end, then read its overlay's size.
    const jobs: { id: string; status: string; overlayBytes: number; code?: string }[] = [];
    for (const a of answers.filter((x) => x.route === '/v1/jobs' && x.status === 202)) {
      const id = (JSON.parse(a.body) as { id: string }).id;
      for (;;) {
        const view = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as {
          status: string;
          error?: { code: string };
        };
        if (['completed', 'failed'].includes(view.status)) {
          const png = await fetch(`${url}/v1/jobs/${id}/overlay.png`);
          jobs.push({
            id,
            status: view.status,
            overlayBytes: (await png.arrayBuffer()).byteLength,
            code: view.error?.code,
          });
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const seconds = (Date.now() - started) / 1000;
    for (const s of services) s.peakRss = Math.max(s.peakRss, vmHwm(s.child.pid));

    console.log(
      `\n${notes.length ? `cgroups: NOT used (${notes.join('; ')}); peak RSS measured instead` : `cgroups: v${gateway.cgroup!.version}, one per process, at the docker-compose.yml limits`}\n`,
    );
    console.log('| process | limit | peak (cgroup) | peak RSS | OOM kills | alive |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const s of services) {
      const peak = s.cgroup?.peakBytes();
      const kills = s.cgroup?.oomKills() ?? 0;
      const alive = s.child.exitCode === null && s.child.signalCode === null;
      if (kills > 0 || !alive || (!s.cgroup && s.peakRss > s.limitBytes)) failed = true;
      console.log(
        `| ${s.name} | ${s.limitBytes / MiB} MiB | ${peak ? `${(peak / MiB).toFixed(0)} MiB` : 'n/a'} | ${(s.peakRss / MiB).toFixed(0)} MiB | ${kills} | ${alive ? 'yes' : `no (${s.child.exitCode ?? s.child.signalCode})`} |`,
      );
    }
    console.log('\n| request | status | answer size | time |');
    console.log('| --- | --- | --- | --- |');
    for (const a of answers) {
      const ok = a.route === '/api/parse' ? a.status === 200 : a.status === 202;
      if (!ok) failed = true;
      const extra =
        a.route === '/api/parse' && a.status === 200
          ? ` (image ${JSON.stringify((JSON.parse(a.body) as { result_image_size?: unknown }).result_image_size ?? 'full size')})`
          : '';
      console.log(
        `| ${a.route} | ${a.status}${ok ? '' : ` ${a.body.slice(0, 200)}`} | ${(a.bytes / MiB).toFixed(2)} MiB${extra} | ${(a.ms / 1000).toFixed(1)} s |`,
      );
    }
    for (const j of jobs) {
      if (j.status !== 'completed') failed = true;
      console.log(
        `| job ${j.id.slice(0, 8)} | ${j.status}${j.code ? ` (${j.code})` : ''} | overlay.png ${(j.overlayBytes / MiB).toFixed(2)} MiB | |`,
      );
    }
    console.log(`\nall answered in ${seconds.toFixed(0)} s`);
  } catch (err) {
    failed = true;
    console.error((err as Error).message);
    for (const s of services) {
      console.error(
        `${s.name}: limit ${s.limitBytes / MiB} MiB, peak ${((s.cgroup?.peakBytes() ?? s.peakRss) / MiB).toFixed(0)} MiB, OOM kills ${s.cgroup?.oomKills() ?? 'n/a'}`,
      );
    }
  } finally {
    clearInterval(sampler);
    for (const s of services) {
      if (s.child.exitCode === null) {
        s.child.kill('SIGTERM');
        await new Promise((r) => {
          const timer = setTimeout(() => s.child.kill('SIGKILL'), 30_000);
          s.child.once('exit', () => (clearTimeout(timer), r(undefined)));
        });
      }
      try {
        s.cgroup?.remove();
      } catch (err) {
        console.error(`could not remove ${s.cgroup?.dir}: ${(err as Error).message}`);
      }
    }
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
  if (failed) {
    console.error('\nFAILED: a process died or was OOM-killed, or a request did not succeed');
    process.exit(1);
  }
}

void main();
