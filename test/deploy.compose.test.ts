/**
 * docker-compose.yml, checked without a Docker engine: Debian's `docker-compose config` accepts
 * it, and its services are the ones the issue asks for (scalable worker, noeviction AOF Redis,
 * limits, restarts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { EnvSchema } from '@argus/config';
import { REPO_ROOT } from './support/platform';
import { parseDockerfile } from './support/dockerfile';

/** `120s`, `2m`, `1m30s` → seconds. */
function seconds(duration: string): number {
  let total = 0;
  const unitSeconds: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6 };
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms|us)/g))
    total += Number(n) * unitSeconds[unit];
  return total;
}

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
