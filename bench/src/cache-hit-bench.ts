/**
 * `npm run bench:cache`: only the cache-hit comparison of `npm run bench` (issue 16), for
 * working on the hit path. The gateway (one worker made the result once) and the bare
 * reference server (reference-server.ts: Express + multer + MD5 + one Redis GET) take
 * turns under the same client (`@argus/client`, 8 clients, closed loop) and the same
 * 487 KB photo, REPS times each; it prints each turn and the medians. The machine is shared:
 * read the ratio, not the absolute numbers. CACHE_BENCH_REPS (5) and CACHE_BENCH_MS (3000);
 * CACHE_BENCH_PROF is added to both servers' NODE_OPTIONS (e.g. `--require <a profiler preload>`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BenchPlatform, stopProcess, type Proc } from './bench-platform';
import { startCacheReference } from './cache-reference';
import { clientRequest } from './client-load';
import { closedLoop, type Request } from './http-load';
import { REPO_ROOT, type BenchImage } from './images';
import { summarize } from './stats';
import { cpuSeconds } from './proc-stats';

const REPS = Number(process.env.CACHE_BENCH_REPS ?? 5);
const DURATION_MS = Number(process.env.CACHE_BENCH_MS ?? 3000);
const CLIENTS = 8;

interface Turn {
  hitsPerSec: number;
  p50: number;
  p99: number;
  /** CPU time of the server process per hit answered (ms): steadier than hits/s on a busy machine. */
  cpuMsPerHit: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function turn(request: Request, image: BenchImage, pid: number): Promise<Turn> {
  const cpuBefore = cpuSeconds(pid) ?? 0;
  const result = await closedLoop({
    clients: CLIENTS,
    warmupMs: 300,
    durationMs: DURATION_MS,
    timeoutMs: 10_000,
    request,
    next: () => image,
  });
  const failed = Object.values(result.failures).reduce((a, b) => a + b, 0);
  if (failed > 0) throw new Error(`cache-hit turn had failures: ${JSON.stringify(result.failures)}`);
  const latency = summarize(result.latencies);
  const cpuMs = ((cpuSeconds(pid) ?? 0) - cpuBefore) * 1000;
  return {
    hitsPerSec: result.throughput,
    p50: latency.p50,
    p99: latency.p99,
    cpuMsPerHit: cpuMs / Math.max(1, result.succeeded),
  };
}

async function main(): Promise<void> {
  const bus: BenchImage = {
    name: 'bus.jpg',
    bytes: fs.readFileSync(path.join(REPO_ROOT, '..', 'shared', 'data', 'samples', 'bus.jpg')),
  };
  const platform = new BenchPlatform({
    WORKER_TASKS: 'detect',
    WORKER_MODELS: 'yolov8n',
    ...(process.env.CACHE_BENCH_PROF ? { NODE_OPTIONS: process.env.CACHE_BENCH_PROF } : {}),
  });
  let reference: Proc | undefined;
  try {
    await platform.startGateway();
    await platform.startWorkers(1);
    const gateway = clientRequest(platform.url, { task: 'detect' }, 'events');
    const first = await gateway(bus, Date.now() + 60_000);
    if (!first.ok) throw new Error(`the photo failed: ${first.failure}`);
    // Hits need no worker: stop it, so it takes no CPU from the comparison.
    await platform.stopWorkers();
    const started = await startCacheReference(
      platform,
      bus,
      process.env.CACHE_BENCH_PROF ? { NODE_OPTIONS: process.env.CACHE_BENCH_PROF } : {},
    );
    reference = started.proc;
    const refUrl = started.url;
    const ref = clientRequest(refUrl, { task: 'detect' }, 'events');
    const turns: { gateway: Turn; reference: Turn }[] = [];
    for (let i = 0; i < REPS; i++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      const gw = [gateway, platform.gateway!.child.pid!] as const;
      const rf = [ref, reference.child.pid!] as const;
      const [a, b] = i % 2 === 0 ? [gw, rf] : [rf, gw];
      const ta = await turn(a[0], bus, a[1]);
      const tb = await turn(b[0], bus, b[1]);
      const t = i % 2 === 0 ? { gateway: ta, reference: tb } : { gateway: tb, reference: ta };
      turns.push(t);
      const fmt = (x: Turn) =>
        `${x.hitsPerSec.toFixed(0)} hits/s p50 ${x.p50.toFixed(1)} p99 ${x.p99.toFixed(1)} ms cpu ${x.cpuMsPerHit.toFixed(2)} ms/hit`;
      process.stdout.write(
        `turn ${i + 1}: gateway ${fmt(t.gateway)} | reference ${fmt(t.reference)} | ratio ${(t.gateway.hitsPerSec / t.reference.hitsPerSec).toFixed(2)}\n`,
      );
    }
    const m = (side: 'gateway' | 'reference', k: keyof Turn) => median(turns.map((t) => t[side][k]));
    const ratios = turns.map((t) => t.gateway.hitsPerSec / t.reference.hitsPerSec);
    const cpuRatios = turns.map((t) => t.gateway.cpuMsPerHit / t.reference.cpuMsPerHit);
    process.stdout.write(
      [
        '',
        `| ${bus.name} (${Math.round(bus.bytes.length / 1024)} KB), ${CLIENTS} clients, median of ${REPS} | hits/s | p50 ms | p99 ms | server CPU ms/hit |`,
        '| --- | ---: | ---: | ---: | ---: |',
        `| gateway | ${m('gateway', 'hitsPerSec').toFixed(0)} | ${m('gateway', 'p50').toFixed(1)} | ${m('gateway', 'p99').toFixed(1)} | ${m('gateway', 'cpuMsPerHit').toFixed(2)} |`,
        `| reference | ${m('reference', 'hitsPerSec').toFixed(0)} | ${m('reference', 'p50').toFixed(1)} | ${m('reference', 'p99').toFixed(1)} | ${m('reference', 'cpuMsPerHit').toFixed(2)} |`,
        `| gateway / reference (median of per-turn ratios) | ${median(ratios).toFixed(2)} | | | ${median(cpuRatios).toFixed(2)} |`,
        '',
      ].join('\n'),
    );
  } finally {
    if (reference) await stopProcess(reference);
    await platform.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
