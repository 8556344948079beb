/**
 * `node apps/tools/dist/serve-sources.js [--port=N] [--staged=DIR] [--fault=<public url>=<fault>]…`
 * Serves the staged model originals as the public hosts would, and prints the MODEL_URL_MAP
 * that points `npm run models` / `npm start` at it (the fresh-clone check in docs/models.md).
 */
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import { startSourceServer, type Fault } from './sources/source-server';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const staged = arg('staged') ?? path.resolve(REPO_ROOT, '..', 'shared', 'models');
  const server = await startSourceServer(staged, Number(arg('port') ?? 0));
  for (const spec of args.filter((a) => a.startsWith('--fault='))) {
    const value = spec.slice('--fault='.length);
    const eq = value.lastIndexOf('=');
    server.setFault(value.slice(0, eq), value.slice(eq + 1) as Fault);
  }
  console.log(`serving ${staged} at ${server.url}`);
  console.log(`MODEL_URL_MAP=${server.urlMap}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
