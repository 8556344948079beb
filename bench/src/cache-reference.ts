import path from 'node:path';
import { md5Hex } from '@argus/queue';
import { startNodeProcess, waitForOutput, type BenchPlatform, type Proc } from './bench-platform';
import type { BenchImage } from './images';

/**
 * Starts the bare cache-hit reference (reference-server.ts) with `image` already "cached"
 * under this run's prefix, so the same client and image measure it beside the gateway.
 * `env` is added to its environment. The caller stops `proc`.
 */
export async function startCacheReference(
  platform: BenchPlatform,
  image: BenchImage,
  env: Record<string, string> = {},
): Promise<{ proc: Proc; url: string }> {
  const refPrefix = `${platform.prefix}:reference`;
  await platform.redis.set(
    `${refPrefix}:${md5Hex(image.bytes)}`,
    JSON.stringify({ cached: true }),
    'EX',
    3600,
  );
  const proc = startNodeProcess('reference', path.join(__dirname, 'reference-server.js'), {
    REFERENCE_KEY_PREFIX: refPrefix,
    ...env,
  });
  const url = await waitForOutput(proc, /reference listening url=(\S+)/, 30_000);
  return { proc, url };
}
