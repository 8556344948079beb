import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/**
 * A memory cgroup to run one process in, at a given limit: cgroup v2 (`memory.max`) or v1
 * (`memory.limit_in_bytes`), whichever this machine mounts; creating one needs root.
 */
export interface MemoryCgroup {
  version: 1 | 2;
  dir: string;
  /** Shell prefix that moves the shell into the cgroup before it execs the command. */
  enterCommand: string;
  /** Highest memory use so far (v1 max_usage_in_bytes, v2 memory.peak when the kernel has it). */
  peakBytes(): number | undefined;
  /** OOM kills inside the cgroup so far. */
  oomKills(): number;
  remove(): void;
}

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/memory';

/** Creates a cgroup limited to `limitBytes`, or explains why this machine cannot. */
export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | { error: string } {
  const suffix = `${name}-${crypto.randomBytes(3).toString('hex')}`;
  try {
    if (fs.existsSync(path.join(V2_ROOT, 'cgroup.controllers'))) {
      const dir = path.join(V2_ROOT, `argus-abuse-${suffix}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'memory.max'), String(limitBytes));
      fs.writeFileSync(path.join(dir, 'memory.swap.max'), '0');
      return {
        version: 2,
        dir,
        enterCommand: `echo $$ > ${dir}/cgroup.procs`,
        peakBytes: () => readNumber(path.join(dir, 'memory.peak')),
        oomKills: () => eventCount(path.join(dir, 'memory.events'), 'oom_kill'),
        remove: () => fs.rmdirSync(dir),
      };
    }
    if (fs.existsSync(path.join(V1_ROOT, 'memory.limit_in_bytes'))) {
      const dir = path.join(V1_ROOT, `argus-abuse-${suffix}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      // With swap accounting, forbid swap too, as a container runtime does.
      const memsw = path.join(dir, 'memory.memsw.limit_in_bytes');
      if (fs.existsSync(memsw)) fs.writeFileSync(memsw, String(limitBytes));
      return {
        version: 1,
        dir,
        enterCommand: `echo $$ > ${dir}/cgroup.procs`,
        peakBytes: () => readNumber(path.join(dir, 'memory.max_usage_in_bytes')),
        oomKills: () => eventCount(path.join(dir, 'memory.oom_control'), 'oom_kill'),
        remove: () => fs.rmdirSync(dir),
      };
    }
    return { error: `no memory cgroup hierarchy under ${V2_ROOT} (neither v2 nor v1 memory)` };
  } catch (err) {
    return { error: `cannot create a memory cgroup: ${(err as Error).message}` };
  }
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function eventCount(file: string, key: string): number {
  try {
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}
