import { EnvSchema } from '@argus/config';
import { RedisKeys } from './keys';
import { bullPrefix } from './queues';
import { parseRedisUrl } from './redis-connection';

describe('parseRedisUrl', () => {
  it('passes single-server URLs through', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:pw@redis.example.com:6380/2'])
      expect(parseRedisUrl(url)).toEqual({ kind: 'single', url });
  });

  it('reads the cluster form: seed nodes, default port, credentials, TLS', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-3', port: 6379 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@[::1]:7000,[fd00::2]:7001/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'fd00::2', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('redis+cluster://:secret@h:1')).toMatchObject({
      password: 'secret',
      nodes: [{ host: 'h', port: 1 }],
    });
  });

  it('names what is wrong in a malformed cluster form', () => {
    expect(() => parseRedisUrl('redis+cluster://')).toThrow(/expected redis\+cluster:/);
    expect(() => parseRedisUrl('redis+cluster://h:99999')).toThrow(/"h:99999" is not host:port/);
    expect(() => parseRedisUrl('redis+cluster://h:1,,h:2')).toThrow(/is not host:port/);
  });
});

describe('REDIS_URL in the config schema', () => {
  const parse = (REDIS_URL: string) => EnvSchema.safeParse({ REDIS_URL }).success;

  it('accepts both forms', () => {
    expect(parse('redis://127.0.0.1:6379')).toBe(true);
    expect(parse('rediss://u:p@host:6380/1')).toBe(true);
    expect(parse('redis+cluster://a:7000,b:7001,c:7002')).toBe(true);
    expect(parse('rediss+cluster://:pw@a:7000')).toBe(true);
  });

  it('refuses other schemes and malformed node lists', () => {
    expect(parse('http://127.0.0.1:6379')).toBe(false);
    expect(parse('127.0.0.1:6379')).toBe(false);
    expect(parse('redis+cluster://a:7000,,b')).toBe(false);
    expect(parse('redis+cluster://a:port')).toBe(false);
  });
});

describe('hash tags for Redis Cluster', () => {
  /** The part of a key Redis Cluster hashes: the first non-empty `{…}`, else the whole key. */
  const hashed = (key: string) => /\{([^}]+)\}/.exec(key)?.[1] ?? key;

  it('puts the keys one MULTI or MGET touches together in one slot', () => {
    const keys = new RedisKeys('argus');
    expect(hashed(keys.callbacks('job-1'))).toBe(hashed(keys.jobEnded('job-1')));
    expect(hashed(keys.callbacks('job-1'))).not.toBe(hashed(keys.callbacks('job-2')));
    expect(hashed(keys.workers())).toBe(hashed(keys.worker('w-1')));
    expect(hashed(keys.worker('w-1'))).toBe(hashed(keys.worker('w-2')));
  });

  it('gives each BullMQ queue its own tag under <prefix>:bull', () => {
    expect(bullPrefix('argus', 'detect')).toBe('argus:bull:{detect}');
    expect(hashed(`${bullPrefix('argus', 'detect')}:detect:wait`)).toBe('detect');
    expect(hashed(`${bullPrefix('argus', 'parse')}:parse:wait`)).toBe('parse');
  });
});
