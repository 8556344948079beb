/**
 * The `argus` command (packages/client's bin), run as users run it: the built script in a
 * child process against the real gateway, worker and Redis.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, sample, startPlatform, type Platform } from './support/platform';

const ARGUS = path.join(REPO_ROOT, 'packages/client/dist/cli/argus.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function argus(args: string[], env: Record<string, string> = {}): Promise<Run> {
  if (!fs.existsSync(ARGUS)) throw new Error(`${ARGUS} is missing: run \`npm run build\``);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ARGUS, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the argus CLI', () => {
  let platform: Platform;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 1 });
    env = { ARGUS_URL: platform.url };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-cli-'));
    fs.mkdirSync(path.join(dir, 'photos'));
    fs.writeFileSync(path.join(dir, 'photos', 'bus.jpg'), sample('bus.jpg').bytes);
    fs.writeFileSync(path.join(dir, 'photos', 'zidane.jpg'), sample('zidane.jpg').bytes);
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('detects a folder with a progress bar, text lines per image, exit 0', async () => {
    const run = await argus(['detect', path.join(dir, 'photos'), '--progress', '--concurrency', '2'], env);
    expect(run).toMatchObject({ code: 0 });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes('bus.jpg'))).toMatch(/bus\.jpg: \d+ detections: .*bus 0\.\d\d/);
    expect(lines.find((l) => l.includes('zidane.jpg'))).toMatch(/person 0\.\d\d/);
    expect(run.stderr).toMatch(/detect \[.*\] 2\/2 images \| 0 failed/);
  }, 120_000);

  it('prints JSON with --json, reads --url over ARGUS_URL, and exits 1 when any image fails', async () => {
    const bad = path.join(dir, 'not-an-image.png');
    fs.writeFileSync(bad, 'GIF89a not really');
    const run = await argus(
      ['--url', platform.url, '--json', 'detect', path.join(dir, 'photos', 'bus.jpg'), bad],
      {
        ARGUS_URL: 'http://127.0.0.1:1',
      },
    );
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as {
      file: string;
      job?: { status: string };
      error?: { code: string };
    }[];
    expect(out.map((o) => path.basename(o.file))).toEqual(['bus.jpg', 'not-an-image.png']);
    expect(out[0].job?.status).toBe('completed');
    expect(out[1].error?.code).toBe('unsupported_media_type');
  }, 120_000);

  it('parses into DIR/<image>/ with result.json, overlay, labels and person masks', async () => {
    const outDir = path.join(dir, 'parsed');
    const run = await argus(['parse', path.join(dir, 'photos', 'zidane.jpg'), '-o', outDir], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/zidane\.jpg: \d+ persons? →/);
    const base = path.join(outDir, 'zidane');
    const result = JSON.parse(fs.readFileSync(path.join(base, 'result.json'), 'utf8'));
    expect(result.numPersons).toBeGreaterThanOrEqual(1);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    for (const name of ['overlay.png', 'labels.png', 'person-1.png']) {
      expect(fs.readFileSync(path.join(base, name)).subarray(0, 4)).toEqual(png);
    }
    expect(fs.readdirSync(base).filter((n) => n.startsWith('person-'))).toHaveLength(result.numPersons);
  }, 120_000);

  it('segments into DIR/<image>/ with result.json, overlay and one mask per instance', async () => {
    const outDir = path.join(dir, 'segmented');
    const run = await argus(['segment', path.join(dir, 'photos', 'bus.jpg'), '-o', outDir], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/bus\.jpg: \d+ instances? \(.*bus.*\) →/);
    const base = path.join(outDir, 'bus');
    const result = JSON.parse(fs.readFileSync(path.join(base, 'result.json'), 'utf8'));
    expect(result.count).toBeGreaterThanOrEqual(4);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    for (const name of ['overlay.png', 'instance-1.png']) {
      expect(fs.readFileSync(path.join(base, name)).subarray(0, 4)).toEqual(png);
    }
    expect(fs.readdirSync(base).filter((n) => n.startsWith('instance-'))).toHaveLength(result.count);
  }, 120_000);

  it('gets, waits for and (refuses to) cancel a finished job', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.41' });
    const wait = await argus(['jobs', 'wait', submit.body.id], env);
    expect(wait.code).toBe(0);
    expect(wait.stdout).toMatch(new RegExp(`^${submit.body.id} detect completed done 100%`));
    const get = await argus(['--json', 'jobs', 'get', submit.body.id], env);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ id: submit.body.id, status: 'completed' });
    const cancel = await argus(['jobs', 'cancel', submit.body.id], env);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/already_finished/);
  }, 120_000);

  it('exits 2 on usage mistakes', async () => {
    expect((await argus(['detect'], env)).code).toBe(2);
    expect((await argus(['detect', '--concurrency', '0', dir], env)).code).toBe(2);
    expect((await argus(['detect', path.join(dir, 'missing.jpg')], env)).code).toBe(2);
    expect((await argus(['parse', path.join(dir, 'photos')], env)).code).toBe(2);
    expect((await argus(['frobnicate'], env)).code).toBe(2);
    expect((await argus(['--help'], env)).code).toBe(0);
  });
});
