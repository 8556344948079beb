/**
 * `npm run eval:parse`: bucket mIoU (Background, Hair, Skin, Upper, Lower, Shoes) of every
 * parse model on ../shared/data/ccp_dev (inside the main subject's region) and on
 * ../shared/data/cihp_val5 (whole image, plus IoU per LIP class the model emits), through the
 * worker's pipeline in `crops` mode. Prints one table; `--write` puts it into docs/parse.md
 * between the `eval:parse` markers. Deterministic: a rerun gives the same numbers.
 *
 * Flags: --models=a,b  --every=<n> (every n-th ccp photo)  --offset=<k> (start at the k-th)  --limit=<n>  --datasets=ccp,cihp
 *        --mode=crops|whole  --threshold=<0–1>  --scope=crop|image|auto --clothes-crops=<n>  --clothes-threshold=<0–1>  --clothes-fit=pad|squash
 *        --leg-none=pants|leg  --arm-none=clothes|arm  --torso-skin=clothes|face
 *        --glove=<fraction>  --skirt=<fraction>  --same-garment=<rgb distance, 0 = off>
 *        --none-gate=<0–1>  --grow-hair=on|off  --face-split=on|off
 *        --extend=<0–1, 0 = off>  --extend-feet=<0–1, 0 = off>  --hair-colour=<rgb distance, 0 = off>
 *        --shoe-colour=<rgb distance, 0 = off>  --gate-feet=on|off  --head-gate=<0–1>  --feet-gate=<0–1>
 *        --dress=colour|bare-legs|off  --head-hair-colour=<rgb distance, 0 = off>  --write  --json
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, loadConfig } from '@argus/config';
import { manifestPathFor, readManifest, type ParseTuning } from '@argus/models';
import { DEFAULT_FUSION_RULES, type FusionRules } from '@argus/vision';
import {
  BUCKETS,
  evaluateBuckets,
  listCcp,
  listCihpSamples,
  readCcpMapping,
  type ModelScores,
} from './eval/bucket-eval';

function flag(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function numberFlag(args: readonly string[], name: string): number | undefined {
  const raw = flag(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(args: readonly string[], name: string, values: readonly T[]): T | undefined {
  const raw = flag(args, name);
  if (raw === undefined) return undefined;
  if (!values.includes(raw as T)) throw new Error(`--${name} must be one of ${values.join(', ')}`);
  return raw as T;
}

const dataDir = (env: string, name: string) =>
  process.env[env]?.trim()
    ? path.resolve(process.env[env])
    : path.resolve(REPO_ROOT, '..', 'shared', 'data', name);

/** The table as Markdown: one row per model, ccp_dev and cihp_val5 columns. */
export function formatTable(rows: readonly ModelScores[]): string {
  const f = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
  const head = [
    'model',
    'ccp mIoU',
    ...BUCKETS.map((b) => `ccp ${b}`),
    'cihp mIoU',
    ...BUCKETS.map((b) => `cihp ${b}`),
    'ms/img (ccp)',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.modelId,
        f(r.ccp?.miou),
        ...BUCKETS.map((b) => f(r.ccp?.perBucket[b])),
        f(r.cihp?.miou),
        ...BUCKETS.map((b) => f(r.cihp?.perBucket[b])),
        r.ccp ? r.ccp.msPerImage.toFixed(0) : '–',
      ].join(' | ')} |`,
    );
  }
  const classes = rows.filter((r) => r.cihp?.perClass);
  if (classes.length) {
    lines.push('', 'cihp_val5 IoU per LIP class the model emits:', '');
    for (const r of classes) {
      const parts = Object.entries(r.cihp!.perClass!).map(([k, v]) => `${k} ${v.toFixed(3)}`);
      lines.push(`- \`${r.modelId}\`: ${parts.join(', ')}`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const ids =
    flag(args, 'models')?.split(',') ?? manifest.models.filter((m) => m.task === 'parse').map((m) => m.id);
  const datasets = (flag(args, 'datasets') ?? 'ccp,cihp').split(',');
  const every = numberFlag(args, 'every') ?? 1;
  const limit = numberFlag(args, 'limit') ?? Infinity;
  const offset = numberFlag(args, 'offset') ?? 0;
  const ccpDir = dataDir('CCP_DIR', 'ccp_dev');
  const fusion: FusionRules = {
    ...DEFAULT_FUSION_RULES,
    headHairColour: numberFlag(args, 'head-hair-colour') ?? DEFAULT_FUSION_RULES.headHairColour,
    headGate: numberFlag(args, 'head-gate') ?? DEFAULT_FUSION_RULES.headGate,
    feetGate: numberFlag(args, 'feet-gate') ?? DEFAULT_FUSION_RULES.feetGate,
    dress: oneOf(args, 'dress', ['colour', 'bare-legs', 'off'] as const) ?? DEFAULT_FUSION_RULES.dress,
    legNone: oneOf(args, 'leg-none', ['pants', 'leg'] as const) ?? DEFAULT_FUSION_RULES.legNone,
    armNone: oneOf(args, 'arm-none', ['clothes', 'arm'] as const) ?? DEFAULT_FUSION_RULES.armNone,
    torsoSkin: oneOf(args, 'torso-skin', ['clothes', 'face'] as const) ?? DEFAULT_FUSION_RULES.torsoSkin,
    gloveFraction: numberFlag(args, 'glove') ?? DEFAULT_FUSION_RULES.gloveFraction,
    skirtFill: numberFlag(args, 'skirt') ?? DEFAULT_FUSION_RULES.skirtFill,
    sameGarment: numberFlag(args, 'same-garment') ?? DEFAULT_FUSION_RULES.sameGarment,
    noneGate: numberFlag(args, 'none-gate') ?? DEFAULT_FUSION_RULES.noneGate,
    faceSplit:
      (oneOf(args, 'face-split', ['on', 'off'] as const) ??
        (DEFAULT_FUSION_RULES.faceSplit ? 'on' : 'off')) === 'on',
    extendThreshold: numberFlag(args, 'extend') ?? DEFAULT_FUSION_RULES.extendThreshold,
    extendFeet: numberFlag(args, 'extend-feet') ?? DEFAULT_FUSION_RULES.extendFeet,
    hairColour: numberFlag(args, 'hair-colour') ?? DEFAULT_FUSION_RULES.hairColour,
    gateFeet:
      (oneOf(args, 'gate-feet', ['on', 'off'] as const) ?? (DEFAULT_FUSION_RULES.gateFeet ? 'on' : 'off')) ===
      'on',
    shoeColour: numberFlag(args, 'shoe-colour') ?? DEFAULT_FUSION_RULES.shoeColour,
    growHair:
      (oneOf(args, 'grow-hair', ['on', 'off'] as const) ?? (DEFAULT_FUSION_RULES.growHair ? 'on' : 'off')) ===
      'on',
  };
  const tuning: Partial<ParseTuning> = {
    clothesScope: oneOf(args, 'scope', ['crop', 'image', 'auto'] as const),
    clothesCrops: numberFlag(args, 'clothes-crops'),
    clothesThreshold: numberFlag(args, 'clothes-threshold'),
    clothesFit: oneOf(args, 'clothes-fit', ['pad', 'squash'] as const),
    fusion,
  };
  const rows: ModelScores[] = [];
  for (const modelId of ids) {
    const scores = await evaluateBuckets({
      modelsDir: config.MODELS_DIR,
      modelId,
      ccp: datasets.includes('ccp') ? listCcp(ccpDir, every, limit, offset) : undefined,
      ccpMapping: datasets.includes('ccp') ? readCcpMapping(path.join(ccpDir, 'to_lip.tsv')) : undefined,
      cihp: datasets.includes('cihp') ? listCihpSamples(dataDir('CIHP_DIR', 'cihp_val5')) : undefined,
      tuning,
      threshold: numberFlag(args, 'threshold'),
      mode: oneOf(args, 'mode', ['crops', 'whole'] as const),
      intraOpThreads: config.INTRA_OP_THREADS,
    });
    rows.push(scores);
    if (!args.includes('--json')) console.error(`${modelId} done`);
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const ccpCount = rows.find((r) => r.ccp)?.ccp?.images ?? 0;
  const table = formatTable(rows);
  const caption = `ccp_dev: ${ccpCount} photos (every ${every}${offset ? `, offset ${offset}` : ''}), crops mode, threshold ${numberFlag(args, 'threshold') ?? 0.5}; cihp_val5: 5 photos.`;
  console.log(`${caption}\n\n${table}`);
  if (args.includes('--write')) {
    const doc = path.join(REPO_ROOT, 'docs', 'parse.md');
    const text = fs.readFileSync(doc, 'utf8');
    const start = '<!-- eval:parse:start -->';
    const end = '<!-- eval:parse:end -->';
    const block = `${start}\n${caption}\n\n${table}\n${end}`;
    const next = text.includes(start)
      ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block)
      : `${text.trimEnd()}\n\n${block}\n`;
    fs.writeFileSync(doc, next);
    console.log(`\nwritten into ${path.relative(REPO_ROOT, doc)}`);
  }
}

main().catch((err: Error) => {
  console.error(`parse eval failed:\n${err.message}`);
  process.exit(1);
});
