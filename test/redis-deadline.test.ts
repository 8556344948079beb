/**
 * Deadlines come from the client (issue 13): the gateway's producer connection has ioredis'
 * `commandTimeout`, so a Redis that stops answering (here a real redis-server, SIGSTOPped)
 * rejects each command, and the one error mapping turns that into 503 `unavailable`.
 * BullMQ's blocking connections (the `worker` role) and blocking readers never get it.
 */
import { blockingConnection, createRedis, isRedisTimeout, waitForReady, type Redis } from '@argus/queue';
import { toAppError } from '../apps/gateway/src/http/error-handler';
import { TestRedisServer, freePort } from './support/redis-server';

let server: TestRedisServer;

beforeAll(async () => {
  server = await TestRedisServer.create();
}, 30_000);

afterAll(async () => {
  if (server?.pid) process.kill(server.pid, 'SIGCONT');
  await server?.kill();
});

describe('the producer connection command timeout', () => {
  it('rejects a command of a stalled Redis, which the error handler answers as 503 unavailable', async () => {
    const redis = createRedis(server.url, { role: 'producer', name: 'argus-test', commandTimeoutMs: 200 });
    try {
      await waitForReady(redis, 5_000);
      expect(await redis.ping()).toBe('PONG');
      process.kill(server.pid!, 'SIGSTOP');
      const err: unknown = await redis.get('any').catch((e: unknown) => e);
      process.kill(server.pid!, 'SIGCONT');
      expect(isRedisTimeout(err)).toBe(true);
      const answer = toAppError(err);
      expect(answer.code).toBe('unavailable');
      expect(answer.status).toBe(503);
    } finally {
      redis.disconnect();
    }
  });

  it('maps a Redis that is down (connection refused, offline queue off) to 503 unavailable', async () => {
    const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, {
      role: 'producer',
      name: 'argus-test-down',
      commandTimeoutMs: 200,
    });
    try {
      const err: unknown = await redis.get('any').catch((e: unknown) => e);
      expect(toAppError(err).code).toBe('unavailable');
    } finally {
      redis.disconnect();
    }
  });

  it('is never set on worker connections nor on blocking readers', () => {
    const worker = createRedis(server.url, { role: 'worker', name: 'argus-test-w', commandTimeoutMs: 200 });
    const producer = createRedis(server.url, {
      role: 'producer',
      name: 'argus-test-p',
      commandTimeoutMs: 200,
    });
    const reader = blockingConnection(producer as Redis);
    try {
      expect((worker as Redis).options.commandTimeout).toBeUndefined();
      expect((producer as Redis).options.commandTimeout).toBe(200);
      expect(reader.options.commandTimeout).toBeUndefined();
      expect(reader.options.enableOfflineQueue).toBe(true);
    } finally {
      for (const c of [worker, producer, reader]) c.disconnect();
    }
  });

  it('leaves errors that are not about Redis being away as they were (500 internal)', () => {
    expect(
      toAppError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')).code,
    ).toBe('internal');
  });
});
