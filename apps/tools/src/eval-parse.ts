/**
 * `npm run eval:parse`: coarse 6-class mIoU and person IoU of a parse model on the CIHP
 * sample (../shared/data/cihp_val5, or CIHP_DIR), in whole-image and crop-and-paste modes,
 * through the worker's pipeline, beside the reference numbers from
 * ../shared/models/MANIFEST.md (whole image, long side 513, threshold 0.5).
 *
 * Flags: --model=<parse id>  --persons=<detect id>  --modes=whole,crops  --threshold=<0–1>
 *        --whole-size=<16k+1>  --crop-size=<16k+1>  --margin=<fraction>  --json
 */
import { loadConfig } from '@argus/config';
import type { ParseTuning } from '@argus/models';
import { COARSE_CLASSES, PARSE_REFERENCE, evaluateParsing, type EvalMode } from './eval/parse-eval';

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

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const modes = (flag(args, 'modes') ?? 'whole,crops').split(',').map((m) => m.trim());
  for (const m of modes) if (m !== 'whole' && m !== 'crops') throw new Error(`--modes: unknown mode "${m}"`);
  const tuning: Partial<ParseTuning> = {
    wholeMaxSide: numberFlag(args, 'whole-size'),
    cropMaxSide: numberFlag(args, 'crop-size'),
    cropMargin: numberFlag(args, 'margin'),
  };
  const result = await evaluateParsing({
    modelsDir: config.MODELS_DIR,
    modelId: flag(args, 'model'),
    personModelId: flag(args, 'persons'),
    modes: modes as EvalMode[],
    threshold: numberFlag(args, 'threshold'),
    tuning,
    intraOpThreads: config.INTRA_OP_THREADS,
    maxPixels: config.MAX_PIXELS,
  });
  if (args.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const ref = PARSE_REFERENCE[result.modelId];
  console.log(
    `model ${result.modelId}` +
      (result.personModelId ? `, person detector ${result.personModelId}` : '') +
      `: ${result.results[0]?.images ?? 0} CIHP images, coarse classes ${COARSE_CLASSES.join('/')}`,
  );
  const head = ['mode'.padEnd(6), 'mIoU', 'personIoU', ...COARSE_CLASSES.map((c) => c.slice(0, 5)), 'ms/img'];
  console.log(head.map((h, i) => (i === 0 ? h : h.padStart(9))).join(' '));
  const row = (name: string, values: (number | undefined)[], ms?: number) =>
    console.log(
      [
        name.padEnd(6),
        ...values.map((v) => (v === undefined ? '-' : v.toFixed(3)).padStart(9)),
        (ms === undefined ? '-' : ms.toFixed(0)).padStart(9),
      ].join(' '),
    );
  for (const r of result.results) {
    row(r.mode, [r.miou, r.personIou, ...COARSE_CLASSES.map((c) => r.perClass[c])], r.msPerImage);
  }
  if (ref) row('ref', [ref.miou, ref.personIou, ...COARSE_CLASSES.map(() => undefined)]);
}

main().catch((err: Error) => {
  console.error(`parse eval failed:\n${err.message}`);
  process.exit(1);
});
