/**
 * `npm run models`: installs every model of the manifest into MODELS_DIR: from MODEL_MIRROR
 * (default ../shared/models when present), else its download url, else its public sources
 * converted by the project (docs/models.md). Every download and result is sha256-checked.
 * Exits 1 when any model could not be installed (the others are still put in place).
 * Flags: --only=id1,id2   --quiet
 */
import { loadConfig } from '@argus/config';
import { manifestPathFor, readManifest } from '@argus/models';
import { installModelsFromSources, lineProgress, terminalProgress } from '@argus/model-sources';

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const bars = !quiet && process.stderr.isTTY ? terminalProgress() : undefined;
  const log = quiet ? undefined : (line: string) => console.log(line);
  const outcomes = await installModelsFromSources(manifest, config.MODELS_DIR, {
    mirrorDir: config.MODEL_MIRROR || undefined,
    only: onlyArg ? onlyArg.split(',') : undefined,
    urlMap: config.MODEL_URL_MAP,
    progress: bars ?? (log ? lineProgress(log) : undefined),
    log: bars ? undefined : log,
  });
  bars?.stop();
  for (const o of outcomes) {
    if (o.ok && (!quiet || o.action !== 'present'))
      console.log(`${o.action.padEnd(10)} ${o.id.padEnd(16)} ${o.file}`);
    if (!o.ok) console.error(`missing    ${o.id.padEnd(16)} ${o.reason}`);
  }
  if (outcomes.some((o) => !o.ok)) {
    console.error(
      '\nsome models could not be installed; see docs/models.md (MODEL_MIRROR, MODEL_URL_MAP, network access)',
    );
    process.exit(1);
  }
}

main().catch((err: Error) => {
  console.error(`model install failed:\n${err.message}`);
  process.exit(1);
});
