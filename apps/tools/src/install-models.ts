/**
 * `npm run models`: installs every model of the manifest into MODELS_DIR from MODEL_MIRROR
 * (default ../shared/models when present) or its download url, verifying each sha256.
 * Flags: --only id1,id2   --quiet
 */
import { loadConfig } from '@argus/config';
import { installModels, manifestPathFor, readManifest } from '@argus/models';

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const reports = await installModels(manifest, config.MODELS_DIR, {
    mirrorDir: config.MODEL_MIRROR || undefined,
    only: onlyArg ? onlyArg.split(',') : undefined,
    log: quiet ? undefined : (line) => console.log(line),
  });
  for (const r of reports) {
    if (!quiet || r.action !== 'present') console.log(`${r.action.padEnd(10)} ${r.id.padEnd(16)} ${r.file}`);
  }
}

main().catch((err: Error) => {
  console.error(`model install failed:\n${err.message}`);
  process.exit(1);
});
