/**
 * The Kubernetes manifests, checked without a cluster: `kubectl kustomize` builds every overlay
 * (and the base with each component), every object passes its OpenAPI schema (kubernetes-models,
 * @kubernetes-models/keda), and the objects fit together (selectors, references, probes,
 * resources, autoscaling queries on metrics the gateway really exports).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { EnvSchema } from '@argus/config';
import { QUEUE_STATES } from '@argus/metrics';
import { REPO_ROOT } from './support/platform';
import {
  K8S,
  checkCommon,
  container,
  find,
  gatewayMetricNames,
  kustomize,
  kustomizeWithComponent,
  one,
  schemaErrors,
  subdirs,
  type K8sObject,
} from './support/k8s';

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
