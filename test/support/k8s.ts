/**
 * The Kubernetes manifests as objects: `kubectl kustomize` builds, schema checks (kubernetes-models,
 * in a child process), lookups, and what every overlay's build must satisfy (checkCommon).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { EnvSchema } from '@argus/config';
import { TASKS } from '@argus/contracts';
import { Registry, createGatewayMetrics } from '@argus/metrics';
import { REPO_ROOT } from './platform';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export const K8S = path.join(REPO_ROOT, 'k8s');
export const NAMESPACE = 'argus';
/** The directory names inside `dir`, sorted. */
export const subdirs = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

export function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** Builds the base with one component through a throwaway overlay (paths must be relative). */
export function kustomizeWithComponent(component: string): K8sObject[] {
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
export function schemaErrors(objects: K8sObject[]): string[] {
  const res = spawnSync(process.execPath, [path.join(__dirname, 'validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: REPO_ROOT,
  });
  if (res.status !== 0) throw new Error(`validate-k8s.mjs failed: ${res.stderr}`);
  const results = JSON.parse(res.stdout) as { kind: string; name: string; error: string | null }[];
  expect(results).toHaveLength(objects.length);
  return results.filter((r) => r.error).map((r) => `${r.kind}/${r.name}: ${r.error}`);
}

export const find = (objects: K8sObject[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
export const one = (objects: K8sObject[], kind: string, name: string) => {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
};
export const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
export const podLabels = (objects: K8sObject[]) =>
  workloads(objects).map((w) => w.spec.template.metadata.labels as Record<string, string>);
export const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
export const container = (o: K8sObject) => o.spec.template.spec.containers[0];

export const cpuCores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
export const gatewayMetricNames = async () => {
  const registry = new Registry();
  createGatewayMetrics(registry, { tasks: TASKS });
  return (await registry.getMetricsAsJSON()).map((m) => m.name);
};

/** What every build of the manifests must satisfy, whatever the overlay. */
export function checkCommon(objects: K8sObject[]): void {
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
