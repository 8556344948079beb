/**
 * The Dockerfile, parsed (no image is built here: that needs a Docker engine, docs/deploy.md
 * says so): stages, COPY sources (present, not dockerignored), non-root users, HEALTHCHECKs;
 * and both HEALTHCHECK commands run for real against a running platform.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, REDIS_URL, startPlatform, type Platform } from './support/platform';
import { copySources, dockerIgnored, expand, parseDockerfile, type Stage } from './support/dockerfile';
import { subdirs } from './support/k8s';

describe('Dockerfile (parsed; no Docker engine here)', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const dockerignore = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
  const file = parseDockerfile(text);
  const stage = (name: string): Stage => {
    const s = file.stages.find((st) => st.name === name);
    if (!s) throw new Error(`no stage ${name}`);
    return s;
  };
  /** A stage and the stages it is built FROM, nearest first. */
  const chain = (name: string): Stage[] => {
    const s = stage(name);
    const parent = file.stages.find((st) => st.name === expand(s.from, file.globalArgs));
    return parent ? [s, ...chain(parent.name)] : [s];
  };
  const workspaceDirs = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).workspaces as string[]
  )
    .flatMap((glob) => {
      const base = glob.replace(/\/\*$/, '');
      return subdirs(path.join(REPO_ROOT, base)).map((d) => `${base}/${d}`);
    })
    .filter((d) => fs.existsSync(path.join(REPO_ROOT, d, 'package.json')));

  it('starts every Node stage from Node 20 slim and has the manifests, build, deps, runtime, gateway and worker stages', () => {
    for (const name of ['manifests', 'build', 'deps', 'runtime', 'gateway', 'worker']) stage(name);
    const node = expand('${NODE_IMAGE}', file.globalArgs);
    expect(node).toMatch(/^node:20[\w.-]*-slim$/);
    for (const s of file.stages) {
      const from = expand(s.from, file.globalArgs);
      const isStage = file.stages.some((o) => o.name === from) || from.startsWith('models-');
      expect(isStage || from === node || from === 'scratch').toBe(true);
    }
  });

  it('copies only sources that exist in the context and are not dockerignored', () => {
    for (const s of file.stages)
      for (const ins of s.instructions.filter((i) => ['COPY', 'ADD'].includes(i.keyword))) {
        if (ins.flags.from) {
          expect(file.stages.map((st) => st.name)).toContain(ins.flags.from);
          continue;
        }
        for (const src of copySources(ins)) {
          expect({ line: ins.line, src, exists: fs.existsSync(path.join(REPO_ROOT, src)) }).toEqual({
            line: ins.line,
            src,
            exists: true,
          });
          expect({ src, ignored: dockerIgnored(dockerignore, src) }).toEqual({ src, ignored: false });
        }
      }
    // RUN --mount=type=bind,from=<stage> mounts a stage (or the named build context replacing it).
    for (const s of file.stages)
      for (const ins of s.instructions.filter((i) => i.flags.mount)) {
        const from = /from=([\w-]+)/.exec(ins.flags.mount)?.[1];
        if (from) expect(file.stages.map((st) => st.name)).toContain(from);
      }
  });

  it('keeps weights, dependencies, build output and git out of the context, and the sources in', () => {
    for (const p of [
      'node_modules',
      'models/yolov8n_fp32.onnx',
      'packages/queue/dist',
      '.git',
      'test',
      'bench',
    ])
      expect({ p, ignored: dockerIgnored(dockerignore, p) }).toEqual({ p, ignored: true });
    for (const p of [
      'packages/queue/src/index.ts',
      'apps/webui/public/index.html',
      'models/manifest.json',
      'models/labels/coco80.txt',
      'docker/worker-healthcheck.js',
      'package-lock.json',
    ])
      expect({ p, ignored: dockerIgnored(dockerignore, p) }).toEqual({ p, ignored: false });
  });

  it('selects the models stage by the MODELS build arg (volume by default, or bake)', () => {
    expect(file.globalArgs.MODELS).toBe('volume');
    const models = stage('models');
    for (const value of ['volume', 'bake']) stage(expand(models.from, { MODELS: value }));
    const bake = stage('models-bake').instructions.find((i) => i.keyword === 'RUN')!;
    expect(bake.args).toContain('install-models.js');
    expect(bake.flags.mount).toContain('from=model-mirror');
  });

  it('installs production dependencies only, with every workspace package.json', () => {
    const deps = chain('deps').flatMap((s) => s.instructions);
    expect(deps.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    const copied = deps.filter((i) => i.keyword === 'COPY').flatMap(copySources);
    expect(workspaceDirs.length).toBeGreaterThan(5);
    for (const dir of workspaceDirs) expect(copied).toContain(`${dir}/package.json`);
  });

  it('compiles what the image runs, and ships the compiled code of every package', () => {
    const build = stage('build').instructions.find((i) => i.keyword === 'RUN' && i.args.includes('tsc -b'))!;
    for (const app of ['apps/gateway', 'apps/worker', 'apps/tools', 'apps/webui'])
      expect(build.args).toContain(app);
    const runtimeCopies = stage('runtime')
      .instructions.filter((i) => i.keyword === 'COPY' && i.flags.from === 'build')
      .flatMap(copySources);
    for (const dir of workspaceDirs.filter((d) => d.startsWith('packages/')))
      expect(runtimeCopies).toContain(`/app/${dir}/dist`);
    for (const p of ['apps/gateway/dist', 'apps/worker/dist', 'apps/webui/public'])
      expect(runtimeCopies).toContain(`/app/${p}`);
  });

  it.each(['gateway', 'worker'])(
    'the %s target runs as a non-root user, with a HEALTHCHECK and its main script',
    (target) => {
      const stages = chain(target);
      expect(stages.map((s) => s.name)).toContain('runtime');
      const user = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'USER'))[0];
      expect(user?.args).toBeDefined();
      expect(['root', '0']).not.toContain(user.args.split(':')[0]);
      expect(stage(target).instructions.some((i) => i.keyword === 'HEALTHCHECK')).toBe(true);
      const cmd = JSON.parse(stage(target).instructions.find((i) => i.keyword === 'CMD')!.args) as string[];
      expect(cmd).toEqual(['node', `apps/${target}/dist/main.js`]);
      expect(fs.existsSync(path.join(REPO_ROOT, 'apps', target, 'src', 'main.ts'))).toBe(true);
    },
  );

  describe('HEALTHCHECK commands, run for real', () => {
    let platform: Platform;

    beforeAll(async () => {
      platform = await startPlatform({
        workers: 1,
        workerEnv: { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n-int8' },
      });
    }, 90_000);

    afterAll(async () => {
      await platform?.stop();
    });

    const healthcheck = (target: string): string[] => {
      const args = stage(target).instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args;
      const cmd = args.replace(/^CMD\s+/, '');
      return cmd.startsWith('[') ? (JSON.parse(cmd) as string[]) : ['sh', '-c', cmd];
    };
    const run = (argv: string[], env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(argv[0], argv.slice(1), {
          cwd: REPO_ROOT,
          env: { ...process.env, REDIS_URL, ...env },
          stdio: 'ignore',
        });
        child.on('exit', (code) => resolve(code));
      });

    it('gateway: healthy while /healthz answers, unhealthy when nothing listens', async () => {
      const port = new URL(platform.url).port;
      expect(await run(healthcheck('gateway'), { PORT: port })).toBe(0);
      expect(await run(healthcheck('gateway'), { PORT: '1' })).not.toBe(0);
    });

    it('worker: healthy while this host has a worker heartbeating, unhealthy otherwise', async () => {
      expect(await run(healthcheck('worker'), { KEY_PREFIX: platform.prefix })).toBe(0);
      expect(await run(healthcheck('worker'), { KEY_PREFIX: `${platform.prefix}-nobody` })).toBe(1);
    });
  });
});
