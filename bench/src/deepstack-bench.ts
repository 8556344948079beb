/**
 * `node bench/dist/deepstack-bench.js [--smoke]`: only the DeepStack latency part of the
 * bench (deepstack-latency.ts), printed as its markdown table; `npm run bench` includes it.
 */
import path from 'node:path';
import { FULL_PLAN, SMOKE_PLAN } from './bench-plan';
import { measureDeepStack, renderDeepStack } from './deepstack-latency';
import { REPO_ROOT } from './images';

async function main(): Promise<void> {
  const plan = process.argv.includes('--smoke') ? SMOKE_PLAN : FULL_PLAN;
  const rows = await measureDeepStack({
    modelsDir: path.join(REPO_ROOT, 'models'),
    ...plan.deepstack,
    say: (m) => process.stdout.write(`[deepstack] ${m}\n`),
  });
  process.stdout.write(`\n${renderDeepStack(rows)}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`DeepStack bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
