/**
 * `npm run keys -- <command>`: manage API keys in the Redis key store shared by every
 * gateway (keys are stored as SHA-256 hashes; a new key is printed once).
 *
 *   create --name <who> [--role client|admin] [--rate <per minute>] [--quota <jobs per day>]
 *   list
 *
 * A `client` key (the default) sees only the jobs it submitted; an `admin` key (an
 * operator) sees, cancels and redelivers every job. See docs/security.md.
 *   revoke <key id>
 */
import { loadConfig } from '@argus/config';
import { ApiKeyStore, RedisKeys, createRedis, waitForReady, type ApiKeyRole } from '@argus/queue';

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got "${value}"`);
  return n;
}

function role(value: string | undefined): ApiKeyRole {
  if (value === undefined || value === 'client') return 'client';
  if (value === 'admin') return 'admin';
  throw new Error(`--role must be client or admin, got "${value}"`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const [command, ...args] = process.argv.slice(2);
  const redis = createRedis(config.REDIS_URL, { role: 'producer', name: 'argus-keys-cli' });
  const store = new ApiKeyStore(redis, new RedisKeys(config.KEY_PREFIX));
  try {
    await waitForReady(redis, 5_000).catch(() => {
      throw new Error(`no Redis answered at ${config.REDIS_URL}`);
    });
    switch (command) {
      case 'create': {
        const name = flag(args, 'name');
        if (!name)
          throw new Error(
            'usage: keys create --name <who> [--role client|admin] [--rate <per minute>] [--quota <jobs per day>]',
          );
        const { key, record } = await store.create(name, {
          role: role(flag(args, 'role')),
          ratePerMinute: positiveInt(flag(args, 'rate'), 'rate'),
          dailyQuota: positiveInt(flag(args, 'quota'), 'quota'),
        });
        console.log(`created ${record.role} key ${record.id} for "${record.name}"`);
        console.log(`key (shown once, store it now): ${key}`);
        break;
      }
      case 'list': {
        const records = await store.list();
        if (records.length === 0) console.log('no keys (see AUTH_MODE in docs/security.md)');
        for (const r of records) {
          const limits = [
            r.ratePerMinute !== undefined ? `rate ${r.ratePerMinute}/min` : '',
            r.dailyQuota !== undefined ? `quota ${r.dailyQuota}/day` : '',
          ]
            .filter(Boolean)
            .join(', ');
          console.log(
            `${r.id}  ${r.revokedAt ? 'REVOKED' : 'active '}  ${(r.role ?? 'client').padEnd(6)}  ${r.createdAt}  ${r.name}${limits ? `  (${limits})` : ''}`,
          );
        }
        break;
      }
      case 'revoke': {
        const id = args[0];
        if (!id) throw new Error('usage: keys revoke <key id>');
        if (!(await store.revoke(id))) throw new Error(`no key with id ${id}`);
        console.log(`revoked ${id}`);
        break;
      }
      default:
        throw new Error(
          'usage: keys create --name <who> [--role client|admin] [--rate N] [--quota N] | keys list | keys revoke <id>',
        );
    }
  } finally {
    redis.disconnect();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
