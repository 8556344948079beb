/**
 * One Redis data layer (issue 13): routes, job code, processors and worker lifecycle code
 * never talk to Redis themselves; they call the typed repositories of @argus/queue. The
 * eslint rule keeps `ioredis` imports out of apps; this test also catches raw commands on
 * a connection handed in from elsewhere (`redis.get(…)`, `connection.hgetall(…)`).
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
// The whole gateway and worker: routes, jobs, auth, http, streams, processors, lifecycle,
// video and stream runners all go through @argus/queue.
const GUARDED = ['apps/gateway/src', 'apps/worker/src'];
const RAW_COMMAND =
  /\b(?:redis|connection|client)\s*\.\s*(?:get|getBuffer|set|del|exists|hgetall|hget|hset|lrange|rpush|lpush|zadd|zrem|zrange|zrevrange|mget|multi|eval|incr|decr|expire|scan|ttl|ping|xread|xadd)\s*\(/;

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

describe('the Redis data layer boundary', () => {
  const files = GUARDED.flatMap(sources);

  it('finds the files it guards', () => {
    expect(files).toContain('apps/gateway/src/routes/jobs.route.ts');
    expect(files).toContain('apps/worker/src/processors/image-job.ts');
    expect(files).toContain('apps/worker/src/processors/video-job.ts');
    expect(files).toContain('apps/gateway/src/streams/streams.route.ts');
  });

  it('has no ioredis import and no raw Redis command outside @argus/queue', () => {
    const offenders = files.flatMap((file) => {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const lines = text.split('\n');
      return lines
        .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
        .filter(({ line }) => /from 'ioredis'/.test(line) || RAW_COMMAND.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`);
    });
    expect(offenders).toEqual([]);
  });
});
