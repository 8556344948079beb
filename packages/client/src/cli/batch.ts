import fs from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { ArgusError } from '../api-error.js';
import type { ArgusClient, TaskOptions } from '../argus-client.js';
import type { JobView, Task } from '../types.js';
import { expandInputs, runPool } from './inputs.js';

export interface BatchSettings {
  concurrency: number;
  /** `true` forces the bar, `false` hides it; undefined: shown for folders on a terminal. */
  progress?: boolean;
}

export interface FileOutcome {
  file: string;
  view?: JobView;
  error?: { code: string; message: string };
}

/**
 * Submits every input file (folders expanded) with at most `concurrency` jobs in flight,
 * calls `done` as each finishes, and answers how many failed. A bar on stderr counts the
 * files when a folder was given.
 */
export async function runBatch(
  client: ArgusClient,
  task: Task,
  paths: string[],
  options: TaskOptions,
  settings: BatchSettings,
  done: (outcome: FileOutcome) => Promise<void>,
): Promise<FileOutcome[]> {
  const { files, fromFolder } = await expandInputs(paths);
  const showBar = settings.progress ?? (fromFolder && Boolean(process.stderr.isTTY));
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          noTTYOutput: settings.progress === true,
          format: `${task} [{bar}] {value}/{total} images | {failed} failed | {eta_formatted} left`,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let failed = 0;
  bar?.start(files.length, 0, { failed });
  const outcomes: FileOutcome[] = [];
  await runPool(files, settings.concurrency, async (file) => {
    const outcome = await runOne(client, task, file, options);
    if (outcome.error) failed += 1;
    outcomes.push(outcome);
    await done(outcome);
    bar?.increment(1, { failed });
  });
  bar?.stop();
  // Answers in argument order, whatever order the jobs ended in.
  return outcomes.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file));
}

async function runOne(
  client: ArgusClient,
  task: Task,
  file: string,
  options: TaskOptions,
): Promise<FileOutcome> {
  try {
    const bytes = await fs.readFile(file);
    const view = await client[task](bytes, options, { fileName: path.basename(file) });
    return { file, view };
  } catch (err) {
    if (err instanceof ArgusError) return { file, error: { code: err.code, message: err.message } };
    return { file, error: { code: 'io', message: (err as Error).message } };
  }
}
