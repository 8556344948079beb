#!/usr/bin/env node
/**
 * `argus`: the Argus API from a terminal. Exit code 0 when everything succeeded, 1 when any
 * job or request failed, 2 for a usage mistake.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ArgusError } from '../api-error.js';
import { ArgusClient } from '../argus-client.js';
import type { DetectResult, JobView, ParseResult, SegmentResult } from '../types.js';
import { runBatch, type FileOutcome } from './batch.js';
import { parseOptionPairs, UsageError } from './inputs.js';

interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

interface BatchOptions {
  concurrency: number;
  option: string[];
  model?: string;
  confidence?: string;
  progress?: boolean;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new InvalidArgumentError('a whole number from 1 to 256');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function clientOf(cmd: Command): { client: ArgusClient; global: GlobalOptions } {
  const global = cmd.optsWithGlobals<GlobalOptions>();
  return { client: new ArgusClient({ url: global.url, apiKey: global.apiKey }), global };
}

function taskOptions(opts: BatchOptions): Record<string, string> {
  return {
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.confidence ? { confidence: opts.confidence } : {}),
    ...parseOptionPairs(opts.option),
  };
}

function describeDetections(result: DetectResult): string {
  const items = result.detections.map((d) => `${d.label} ${d.confidence.toFixed(2)}`);
  return `${result.count} detection${result.count === 1 ? '' : 's'}${items.length ? `: ${items.join(', ')}` : ''}`;
}

function failureLine(outcome: FileOutcome): string {
  return `${outcome.file}: failed: ${outcome.error!.code}: ${outcome.error!.message}`;
}

/**
 * result.json and the job's images for one image: overlay.png, labels.png (parse) and one
 * mask per person (`person-<n>.png`) or instance (`instance-<n>.png`), counting from 1.
 */
async function writeOutputs(
  client: ArgusClient,
  view: JobView,
  dir: string,
  maskName: 'person' | 'instance',
): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const written = [path.join(dir, 'result.json')];
  await fs.writeFile(written[0], `${JSON.stringify(view.result, null, 2)}\n`);
  const images: [string, string | undefined][] = [
    ['overlay.png', view.links.overlay],
    ['labels.png', view.links.labels],
    ...(view.links.masks ?? []).map((link, n): [string, string] => [`${maskName}-${n + 1}.png`, link]),
  ];
  for (const [name, link] of images) {
    if (!link) continue;
    const file = path.join(dir, name);
    await fs.writeFile(file, await client.artifact(view.id, link));
    written.push(file);
  }
  return written;
}

/** One line for a written image: what it found and where it went. */
function describeWritten(task: 'parse' | 'segment', view: JobView, dir: string): string {
  if (task === 'parse') {
    const n = (view.result as ParseResult).numPersons;
    return `${n} person${n === 1 ? '' : 's'} → ${dir}`;
  }
  const r = view.result as SegmentResult;
  const labels = r.instances.map((i) => i.label);
  return `${r.count} instance${r.count === 1 ? '' : 's'}${labels.length ? ` (${labels.join(', ')})` : ''} → ${dir}`;
}

/** `argus parse` and `argus segment`: each image's outputs under DIR/<image>/. */
function writingCommand(task: 'parse' | 'segment', description: string, setExitCode: (code: number) => void) {
  return batchCommand(task, description)
    .requiredOption('-o, --out <dir>', 'output folder')
    .action(async (paths: string[], opts: BatchOptions & { out: string }, cmd: Command) => {
      const { client, global } = clientOf(cmd);
      const files: Record<string, string[]> = {};
      const outcomes = await runBatch(client, task, paths, taskOptions(opts), opts, async (o) => {
        if (o.error) {
          if (!global.json) err(failureLine(o));
          return;
        }
        const view = o.view!;
        const dir = path.join(opts.out, path.basename(o.file, path.extname(o.file)));
        try {
          files[o.file] = await writeOutputs(client, view, dir, task === 'parse' ? 'person' : 'instance');
        } catch (e) {
          o.error = { code: e instanceof ArgusError ? e.code : 'io', message: (e as Error).message };
          if (!global.json) err(failureLine(o));
          return;
        }
        if (!global.json) out(`${o.file}: ${describeWritten(task, view, dir)}`);
      });
      if (global.json) {
        out(
          JSON.stringify(
            outcomes.map((o) => ({
              file: o.file,
              ...(o.error ? { error: o.error } : { job: o.view, files: files[o.file] }),
            })),
          ),
        );
      }
      if (outcomes.some((o) => o.error)) setExitCode(1);
    });
}

function batchCommand(name: 'detect' | 'parse' | 'segment', description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<paths...>', 'image files (JPEG, PNG, WebP) or folders of them')
    .option('-c, --concurrency <n>', 'jobs in flight at once', positiveInt, 4)
    .option('-m, --model <id>', 'model id (see GET /readyz)')
    .option('--confidence <x>', 'minimum confidence')
    .option('-O, --option <key=value>', 'any other task option (repeatable)', collect, [])
    .addOption(new Option('--progress', 'always show the progress bar (on stderr)'))
    .addOption(new Option('--no-progress', 'never show the progress bar'));
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('argus')
    .description('Object detection, instance segmentation and human parsing through an Argus gateway.')
    .addOption(new Option('--url <url>', 'the gateway').env('ARGUS_URL').default('http://localhost:3000'))
    .addOption(new Option('--api-key <key>', 'API key (Authorization: Bearer)').env('ARGUS_API_KEY'))
    .option('--json', 'print JSON instead of text')
    .showHelpAfterError();

  program.addCommand(
    batchCommand('detect', 'detect objects in images; one line (or JSON entry) per image').action(
      async (paths: string[], opts: BatchOptions, cmd: Command) => {
        const { client, global } = clientOf(cmd);
        const outcomes = await runBatch(client, 'detect', paths, taskOptions(opts), opts, async (o) => {
          if (global.json) return;
          if (o.error) err(failureLine(o));
          else out(`${o.file}: ${describeDetections(o.view!.result as DetectResult)}`);
        });
        if (global.json) {
          out(
            JSON.stringify(
              outcomes.map((o) => ({ file: o.file, ...(o.view ? { job: o.view } : { error: o.error }) })),
            ),
          );
        }
        if (outcomes.some((o) => o.error)) setExitCode(1);
      },
    ),
  );

  program.addCommand(
    writingCommand(
      'parse',
      'parse people in images; writes DIR/<image>/result.json, overlay.png, labels.png, person-N.png',
      setExitCode,
    ),
  );
  program.addCommand(
    writingCommand(
      'segment',
      'segment objects in images; writes DIR/<image>/result.json, overlay.png, instance-N.png',
      setExitCode,
    ),
  );

  const jobs = new Command('jobs').description('read, wait for or cancel one job');
  const printView = (view: JobView, global: GlobalOptions) => {
    if (global.json) out(JSON.stringify(view));
    else {
      const detail = view.error ? ` (${view.error.code}: ${view.error.message})` : '';
      out(`${view.id} ${view.task} ${view.status} ${view.progress.stage} ${view.progress.percent}%${detail}`);
    }
  };
  jobs
    .command('get <id>')
    .description("print a job's state (and result)")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client, global } = clientOf(cmd);
      printView(await client.get(id), global);
    });
  jobs
    .command('wait <id>')
    .description('wait until the job ends; exit 1 unless it completed')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client, global } = clientOf(cmd);
      const view = await client.wait(id, {
        onProgress: (v) => {
          if (!global.json) err(`${v.status} ${v.progress.stage} ${v.progress.percent}%`);
        },
      });
      printView(view, global);
      if (view.status !== 'completed') setExitCode(1);
    });
  jobs
    .command('cancel <id>')
    .description('cancel a queued or running job')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client, global } = clientOf(cmd);
      printView(await client.cancel(id), global);
    });
  program.addCommand(jobs);
  // Added commands do not inherit these settings: usage errors must throw (exit code 2),
  // never exit the process with commander's own code.
  const everywhere = (cmd: Command) => {
    cmd.exitOverride().showHelpAfterError();
    cmd.commands.forEach(everywhere);
  };
  everywhere(program);
  return program;
}

/** Runs the command line and answers the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = Math.max(code, c);
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other commander error is a usage mistake.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      err(`argus: ${e.message}`);
      return 2;
    }
    if (e instanceof ArgusError) {
      err(`argus: ${e.code}: ${e.message}`);
      return 1;
    }
    err(`argus: ${(e as Error).message}`);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
