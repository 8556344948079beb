/**
 * The deployment files, checked without a Docker engine or a cluster:
 * - Kubernetes: `kubectl kustomize` builds every overlay (and the base with each component),
 *   every object passes its OpenAPI schema (kubernetes-models, @kubernetes-models/keda), and
 *   the objects fit together (selectors, references, probes, resources, autoscaling queries
 *   on metrics the gateway really exports);
 * - docker-compose.yml: Debian's `docker-compose config` accepts it, and its services are
 *   the ones the issue asks for (scalable worker, noeviction AOF Redis, limits, restarts);
 * - Dockerfile: parsed; stages, COPY sources (present, not dockerignored), non-root users,
 *   HEALTHCHECKs; and both HEALTHCHECK commands run for real against a running platform.
 * No image is built here: that needs a Docker engine (docs/deploy.md says so).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { EnvSchema } from '@argus/config';
import { TASKS } from '@argus/contracts';
import { QUEUE_STATES, Registry, createGatewayMetrics } from '@argus/metrics';
import { REPO_ROOT, REDIS_URL, startPlatform, type Platform } from './support/platform';
import { copySources, dockerIgnored, expand, parseDockerfile, type Stage } from './support/dockerfile';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const K8S = path.join(REPO_ROOT, 'k8s');
const NAMESPACE = 'argus';
const subdirs = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** Builds the base with one component through a throwaway overlay (paths must be relative). */
function kustomizeWithComponent(component: string): K8sObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-kustomize-'));
  try {
    const rel = (p: string) => path.relative(dir, p);
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      YAML.stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: NAMESPACE,
        resources: [rel(path.join(K8S, 'base'))],
        components: [rel(path.join(K8S, 'components', component))],
      }),
    );
    return kustomize(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Schema errors per object, from the ESM-only model packages run in a child process. */
function schemaErrors(objects: K8sObject[]): string[] {
  const res = spawnSync(process.execPath, [path.join(__dirname, 'support', 'validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: REPO_ROOT,
  });
  if (res.status !== 0) throw new Error(`validate-k8s.mjs failed: ${res.stderr}`);
  const results = JSON.parse(res.stdout) as { kind: string; name: string; error: string | null }[];
  expect(results).toHaveLength(objects.length);
  return results.filter((r) => r.error).map((r) => `${r.kind}/${r.name}: ${r.error}`);
}

const find = (objects: K8sObject[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objects: K8sObject[], kind: string, name: string) => {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
};
const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
const podLabels = (objects: K8sObject[]) =>
  workloads(objects).map((w) => w.spec.template.metadata.labels as Record<string, string>);
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const container = (o: K8sObject) => o.spec.template.spec.containers[0];

/** `120s`, `2m`, `1m30s` → seconds. */
function seconds(duration: string): number {
  let total = 0;
  const unitSeconds: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6 };
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms|us)/g))
    total += Number(n) * unitSeconds[unit];
  return total;
}

const cpuCores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
const gatewayMetricNames = async () => {
  const registry = new Registry();
  createGatewayMetrics(registry, { tasks: TASKS });
  return (await registry.getMetricsAsJSON()).map((m) => m.name);
};

/** What every build of the manifests must satisfy, whatever the overlay. */
function checkCommon(objects: K8sObject[]): void {
  expect(schemaErrors(objects)).toEqual([]);

  // One namespace for everything namespaced.
  for (const o of objects.filter((o) => o.kind !== 'Namespace'))
    expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(
      `${o.kind}/${o.metadata.name} in ${NAMESPACE}`,
    );

  const configMaps = find(objects, 'ConfigMap').map((c) => c.metadata.name);
  const secrets = find(objects, 'Secret').map((s) => s.metadata.name);
  const pvcs = find(objects, 'PersistentVolumeClaim').map((p) => p.metadata.name);
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    const where = `${w.kind}/${w.metadata.name}`;
    expect(selects(w.spec.selector.matchLabels, w.spec.template.metadata.labels)).toBe(true);
    expect({ where, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({ where, runAsNonRoot: true });
    for (const c of pod.containers) {
      for (const kind of ['requests', 'limits'])
        for (const res of ['cpu', 'memory'])
          expect({ where, kind, res, set: Boolean(c.resources?.[kind]?.[res]) }).toEqual({
            where,
            kind,
            res,
            set: true,
          });
      expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) expect(configMaps).toContain(from.configMapRef.name);
        if (from.secretRef && !from.secretRef.optional) expect(secrets).toContain(from.secretRef.name);
      }
    }
    for (const v of pod.volumes ?? [])
      if (v.persistentVolumeClaim) expect(pvcs).toContain(v.persistentVolumeClaim.claimName);
  }
  for (const s of find(objects, 'Service'))
    expect(podLabels(objects).some((labels) => selects(s.spec.selector, labels))).toBe(true);
  for (const p of find(objects, 'PodDisruptionBudget'))
    expect(podLabels(objects).some((labels) => selects(p.spec.selector.matchLabels, labels))).toBe(true);
  for (const ing of find(objects, 'Ingress'))
    for (const rule of ing.spec.rules)
      for (const p of rule.http.paths) {
        const svc = one(objects, 'Service', p.backend.service.name);
        expect(svc.spec.ports.map((port: { name: string }) => port.name)).toContain(
          p.backend.service.port.name,
        );
      }

  // Every autoscaler targets a Deployment, and no Deployment has two.
  const targets = [
    ...find(objects, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name as string),
    ...find(objects, 'ScaledObject').map((s) => s.spec.scaleTargetRef.name as string),
  ];
  for (const t of targets) one(objects, 'Deployment', t);
  expect(new Set(targets).size).toBe(targets.length);

  // The gateway: probes on /healthz and /readyz, a grace period above the longest
  // synchronous request (SYNC_TIMEOUT_MS) plus the preStop pause.
  const gateway = one(objects, 'Deployment', 'argus-gateway');
  const gw = container(gateway);
  expect(gw.livenessProbe.httpGet.path).toBe('/healthz');
  expect(gw.readinessProbe.httpGet.path).toBe('/readyz');
  const gwPorts = gw.ports.map((p: { name: string }) => p.name);
  expect(gwPorts).toContain(gw.livenessProbe.httpGet.port);
  expect(gwPorts).toContain(gw.readinessProbe.httpGet.port);
  const syncTimeoutS = EnvSchema.parse({}).SYNC_TIMEOUT_MS / 1000;
  expect(gateway.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(syncTimeoutS + 5);

  // Workers: a grace period well above the longest job, and ONNX threads matching the CPU limit.
  const worker = one(objects, 'Deployment', 'argus-worker');
  expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
  // A stopping worker drains for SHUTDOWN_GRACE_MS, then hands its jobs back: well inside the
  // pod's grace period, so it is never SIGKILLed with jobs in hand (issue 17).
  const workerEnv = { ...(find(objects, 'ConfigMap')[0]?.data ?? {}) };
  for (const e of container(worker).env ?? []) if (e.value !== undefined) workerEnv[e.name] = e.value;
  const drainS = EnvSchema.parse(workerEnv).SHUTDOWN_GRACE_MS / 1000;
  expect(drainS + 10).toBeLessThan(worker.spec.template.spec.terminationGracePeriodSeconds);
  const threads = container(worker).env.find((e: { name: string }) => e.name === 'INTRA_OP_THREADS');
  expect(Number(threads.value)).toBe(cpuCores(container(worker).resources.limits.cpu));

  // Whatever the overlay configures parses with the real config schema.
  for (const cm of find(objects, 'ConfigMap')) {
    const parsed = EnvSchema.safeParse(cm.data ?? {});
    expect(parsed.success ? 'ok' : parsed.error.message).toBe('ok');
  }
}

describe('Kubernetes manifests (kubectl kustomize + schemas)', () => {
  const overlays = subdirs(path.join(K8S, 'overlays'));

  it('has the dev and prod overlays', () => {
    expect(overlays).toEqual(expect.arrayContaining(['dev', 'prod']));
  });

  it.each(overlays)('overlay %s builds, passes the schemas and fits together', (overlay) => {
    checkCommon(kustomize(path.join(K8S, 'overlays', overlay)));
  });

  it('base builds and passes with each component', () => {
    checkCommon(kustomize(path.join(K8S, 'base')));
    for (const component of subdirs(path.join(K8S, 'components')))
      checkCommon(kustomizeWithComponent(component));
  });

  it('dev: one worker, the in-cluster Redis (noeviction, AOF everysec, a volume), no worker autoscaler', () => {
    const objects = kustomize(path.join(K8S, 'overlays', 'dev'));
    expect(one(objects, 'Deployment', 'argus-worker').spec.replicas).toBe(1);
    expect(find(objects, 'ScaledObject')).toEqual([]);
    expect(find(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    const redis = one(objects, 'StatefulSet', 'redis');
    const args = container(redis).args.join(' ');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    // A bound below the pod's memory limit, so a full Redis refuses writes instead of dying.
    expect(args).toMatch(/--maxmemory \d+[mg]b/);
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const cm = find(objects, 'ConfigMap')[0];
    expect(cm.data!.REDIS_URL).toBe('redis://redis:6379');
  });

  it('prod: Redis Cluster endpoint, no in-cluster Redis, more workers, KEDA on backlog and oldest age', async () => {
    const objects = kustomize(path.join(K8S, 'overlays', 'prod'));
    expect(find(objects, 'StatefulSet')).toEqual([]);
    expect(find(objects, 'Service', 'redis')).toEqual([]);
    const cm = find(objects, 'ConfigMap')[0];
    expect(cm.data!.REDIS_URL).toMatch(/^redis\+cluster:\/\/[^,]+:\d+(,[^,]+:\d+)+$/);
    expect(one(objects, 'Deployment', 'argus-worker').spec.replicas).toBeGreaterThan(1);
    const gatewayHpa = one(objects, 'HorizontalPodAutoscaler', 'argus-gateway');
    expect(gatewayHpa.spec.metrics[0].resource.name).toBe('cpu');

    const scaled = one(objects, 'ScaledObject', 'argus-worker');
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const queries = scaled.spec.triggers.map((t: { type: string; metadata: { query: string } }) => {
      expect(t.type).toBe('prometheus');
      return t.metadata.query;
    });
    // waiting + prioritized (the raw wait list misses prioritized jobs) and the oldest age.
    expect(queries.join('\n')).toMatch(/argus_queue_jobs\{state=~"waiting\|prioritized"\}/);
    expect(queries.join('\n')).toContain('argus_queue_oldest_waiting_age_seconds');
    // The queries name metrics and states the gateway really exports.
    const names = await gatewayMetricNames();
    for (const q of queries) for (const [m] of q.matchAll(/argus_[a-z_]+/g)) expect(names).toContain(m);
    expect(QUEUE_STATES).toEqual(expect.arrayContaining(['waiting', 'prioritized']));
  });

  it('the plain-HPA alternative uses the same signals, served by the prometheus-adapter rules in docs/deploy.md', () => {
    const hpa = one(kustomizeWithComponent('hpa-worker'), 'HorizontalPodAutoscaler', 'argus-worker');
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    for (const m of hpa.spec.metrics) expect(doc).toContain(`as: ${m.external.metric.name}`);
  });

  it('the Secret example is a valid Secret whose keys the config schema knows', () => {
    const secret = YAML.parse(
      fs.readFileSync(path.join(K8S, 'base', 'secret.example.yaml'), 'utf8'),
    ) as K8sObject;
    expect(schemaErrors([secret])).toEqual([]);
    const parsed = EnvSchema.safeParse(secret.stringData);
    expect(parsed.success ? 'ok' : parsed.error.message).toBe('ok');
    for (const key of Object.keys(secret.stringData ?? {}))
      expect(Object.keys(EnvSchema.shape)).toContain(key);
  });
});

describe('docker-compose.yml', () => {
  let config: any;

  beforeAll(() => {
    const check = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    config = YAML.parse(
      execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      }),
    );
  });

  it('runs redis, gateway, worker, prometheus and grafana, each with a restart policy and limits', () => {
    expect(Object.keys(config.services).sort()).toEqual([
      'gateway',
      'grafana',
      'prometheus',
      'redis',
      'worker',
    ]);
    for (const [name, svc] of Object.entries<any>(config.services)) {
      expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, memory: Boolean(svc.deploy?.resources?.limits?.memory) }).toEqual({
        name,
        memory: true,
      });
    }
  });

  it('keeps Redis from evicting queued jobs and persists it (AOF everysec on a volume)', () => {
    const redis = config.services.redis;
    const command = redis.command.join(' ');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
    expect(command).toMatch(/--maxmemory \d+[mg]b/);
    expect(
      redis.volumes.some((v: string | { target: string }) =>
        (typeof v === 'string' ? v : v.target).includes('/data'),
      ),
    ).toBe(true);
    expect(Object.keys(config.volumes)).toContain('redis-data');
  });

  it('lets `--scale worker=N` work: no fixed name or host port, the grace period covers a job', () => {
    const worker = config.services.worker;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(seconds(worker.stop_grace_period)).toBeGreaterThanOrEqual(60);
    const drainS = EnvSchema.parse(worker.environment ?? {}).SHUTDOWN_GRACE_MS / 1000;
    expect(drainS + 10).toBeLessThan(seconds(worker.stop_grace_period));
    expect(seconds(config.services.gateway.stop_grace_period)).toBeGreaterThan(
      EnvSchema.parse({}).SYNC_TIMEOUT_MS / 1000,
    );
    expect(worker.environment.REDIS_URL).toBe('redis://redis:6379');
  });

  it('builds the Dockerfile targets and mounts files that exist', () => {
    const stages = parseDockerfile(fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8')).stages.map(
      (s) => s.name,
    );
    for (const name of ['gateway', 'worker']) {
      expect(config.services[name].build.target).toBe(name);
      expect(stages).toContain(name);
    }
    for (const svc of Object.values<any>(config.services))
      for (const v of svc.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        if (source.startsWith('/')) expect(fs.existsSync(source)).toBe(true);
      }
    // Prometheus scrapes the gateway service by its compose name.
    const prom = fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    expect(prom).toContain("'gateway:3000'");
  });
});

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
