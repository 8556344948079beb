/**
 * A bounded, seeded fuzz run through the real gateway and worker: small valid JPEG, PNG and
 * WebP files are mutated (bit flips, magic values, truncation, duplicated and deleted chunks,
 * header size fields, splices) for a fixed number of iterations. Every answer must be a
 * 2xx or a 4xx with a stable code, every accepted job must end completed or failed (with
 * `invalid_image`) within a bound, and the worker must still be the same live process.
 *
 * Same seed, same inputs: a failing iteration is written to test-artifacts/fuzz/ to replay.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT, sample, startPlatform, type Platform } from './support/platform';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2024);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 200);
/** Every 10th input is also sent as a parse job (full-size decode path). */
const PARSE_EVERY = 10;
const CONCURRENCY = 4;
const JOB_DEADLINE_MS = 30_000;
const FAILURES_DIR = path.join(REPO_ROOT, 'test-artifacts', 'fuzz');

/** The 4xx codes a mutated image may earn, by status. */
const REFUSALS: Record<number, string[]> = {
  400: ['missing_image'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  422: ['invalid_image', 'image_too_large'],
};

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (bytes: Buffer, rand: () => number, seeds: Buffer[]) => Buffer;
const int = (rand: () => number, n: number) => Math.floor(rand() * n);
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

const MUTATIONS: Record<string, Mutation> = {
  bitflips(bytes, rand) {
    const out = Buffer.from(bytes);
    for (let i = 1 + int(rand, 8); i > 0; i--) out[int(rand, out.length)] ^= 1 << int(rand, 8);
    return out;
  },
  interesting(bytes, rand) {
    const out = Buffer.from(bytes);
    for (let i = 1 + int(rand, 4); i > 0; i--)
      out[int(rand, out.length)] = INTERESTING[int(rand, INTERESTING.length)];
    return out;
  },
  truncate(bytes, rand) {
    return bytes.subarray(0, int(rand, bytes.length));
  },
  duplicate(bytes, rand) {
    const from = int(rand, bytes.length);
    const chunk = bytes.subarray(from, from + 1 + int(rand, 512));
    const at = int(rand, bytes.length);
    return Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]);
  },
  delete(bytes, rand) {
    const from = int(rand, bytes.length);
    return Buffer.concat([bytes.subarray(0, from), bytes.subarray(from + 1 + int(rand, 256))]);
  },
  /** Size fields live in the first bytes of all three formats. */
  header(bytes, rand) {
    const out = Buffer.from(bytes);
    const at = int(rand, Math.min(out.length - 1, 200));
    out.writeUInt16BE(int(rand, 0x10000), Math.max(0, Math.min(at, out.length - 2)));
    return out;
  },
  splice(bytes, rand, seeds) {
    const other = seeds[int(rand, seeds.length)];
    return Buffer.concat([
      bytes.subarray(0, int(rand, bytes.length)),
      other.subarray(int(rand, other.length)),
    ]);
  },
};

function mutate(seed: Buffer, rand: () => number, seeds: Buffer[]): { bytes: Buffer; applied: string[] } {
  const names = Object.keys(MUTATIONS);
  let bytes = seed;
  const applied: string[] = [];
  for (let i = 1 + int(rand, 3); i > 0 && bytes.length > 0; i--) {
    const name = names[int(rand, names.length)];
    bytes = MUTATIONS[name](bytes, rand, seeds);
    applied.push(name);
  }
  return { bytes, applied };
}

let platform: Platform;
let seeds: Buffer[];

beforeAll(async () => {
  const photo = sharp(sample('zidane.jpg').bytes).resize(160);
  seeds = [
    await photo.clone().jpeg({ quality: 80 }).toBuffer(),
    await photo.clone().jpeg({ quality: 80, progressive: true }).toBuffer(),
    await photo.clone().png().toBuffer(),
    await photo.clone().webp({ quality: 70 }).toBuffer(),
    await photo.clone().webp({ lossless: true }).toBuffer(),
  ];
  platform = await startPlatform({ workers: 1 });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

interface Finding {
  iteration: number;
  task: string;
  mutations: string[];
  problem: string;
}

describe(`fuzz: ${ITERATIONS} mutated images, seed ${SEED}`, () => {
  it('answers each with a 2xx or a stable 4xx, and ends every accepted job', async () => {
    const worker = platform.processes.find((p) => p.name.startsWith('worker'))!;
    const rand = prng(SEED);
    const inputs = Array.from({ length: ITERATIONS }, (_, iteration) => {
      const seed = seeds[int(rand, seeds.length)];
      return { iteration, ...mutate(seed, rand, seeds) };
    });
    const findings: Finding[] = [];
    const tally: Record<string, number> = {};
    const runs = inputs.flatMap((input) =>
      (input.iteration % PARSE_EVERY === 0 ? ['detect', 'parse'] : ['detect']).map((task) => ({
        ...input,
        task,
      })),
    );

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < runs.length) {
          const run = runs[next++];
          const problem = await check(run.bytes, run.task).catch((err: Error) => `threw ${err.message}`);
          const outcome = problem.startsWith('ok ') ? problem.slice(3) : 'PROBLEM';
          tally[outcome] = (tally[outcome] ?? 0) + 1;
          if (!problem.startsWith('ok ')) {
            findings.push({ iteration: run.iteration, task: run.task, mutations: run.applied, problem });
            fs.mkdirSync(FAILURES_DIR, { recursive: true });
            fs.writeFileSync(
              path.join(FAILURES_DIR, `seed-${SEED}-iteration-${run.iteration}.bin`),
              run.bytes,
            );
          }
        }
      }),
    );
    process.stdout.write(`fuzz outcomes: ${JSON.stringify(tally)}\n`);
    expect(findings).toEqual([]);

    // The same worker process is still there, never restarted a thread, and is ready.
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output.join('')).not.toMatch(
      /inference thread crashed|restarting inference thread|model instance crashed/,
    );
    expect((await platform.get('/readyz')).status).toBe(200);
  }, 120_000);
});

/** "ok <outcome>" when the answer is one the platform may give, else what went wrong. */
async function check(bytes: Buffer, task: string): Promise<string> {
  const form = new FormData();
  form.append('task', task);
  form.append('image', new Blob([new Uint8Array(bytes)]), 'fuzz.bin');
  const res = await fetch(`${platform.url}/v1/jobs`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(JOB_DEADLINE_MS),
  });
  const body: any = await res.json().catch(() => null);
  if (res.status >= 400) {
    const code = body?.error?.code;
    return REFUSALS[res.status]?.includes(code)
      ? `ok ${res.status} ${code}`
      : `answered ${res.status} ${code}`;
  }
  if (res.status === 200 && body?.status === 'completed') return 'ok cached';
  if (res.status !== 202) return `answered ${res.status}`;
  const job = await platform.waitForJob(body.id, JOB_DEADLINE_MS);
  if (job.status === 'completed') {
    const { width, height } = job.result.image;
    return width > 0 && height > 0 ? 'ok completed' : `completed with image ${width}x${height}`;
  }
  if (job.status === 'failed' && job.error?.code === 'invalid_image' && job.timings?.attempts === 1) {
    return 'ok failed invalid_image';
  }
  return `${job.status} ${job.error?.code} (${job.error?.message}) after ${job.timings?.attempts} attempt(s)`;
}
