/**
 * What the machine and each process did during a measurement, read from /proc: resident
 * memory, CPU time per process (to say where the cores went) and the machine's own counters
 * (busy, idle, steal), so a noisy run can be recognised as such.
 */
import fs from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export interface MachineCounters {
  /** All cores, seconds. */
  total: number;
  idle: number;
  steal: number;
}

export function machineCounters(): MachineCounters {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { total: total / CLOCK_TICKS, idle: (idle + iowait) / CLOCK_TICKS, steal: steal / CLOCK_TICKS };
}

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAvgAtStart: number[];
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAvgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * CPU use of named processes over a window: start() then stop() gives each one's share of
 * the whole machine (1.0 = every core), plus what other processes and the hypervisor took.
 */
export class CpuWindow {
  private start?: { t: number; machine: MachineCounters; pids: Map<string, number | undefined> };

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  begin(): void {
    const pids = new Map(Object.entries(this.pids()).map(([name, pid]) => [name, pid && cpuSeconds(pid)]));
    this.start = { t: performance.now(), machine: machineCounters(), pids };
  }

  end(): CpuShares {
    if (!this.start) throw new Error('CpuWindow.end() before begin()');
    const cores = os.availableParallelism();
    const seconds = (performance.now() - this.start.t) / 1000;
    const capacity = seconds * cores;
    const byProcess: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const before = this.start.pids.get(name);
      const after = pid ? cpuSeconds(pid) : undefined;
      if (before !== undefined && after !== undefined) byProcess[name] = (after - before) / capacity;
    }
    const m = machineCounters();
    const total = m.total - this.start.machine.total;
    return {
      seconds,
      byProcess,
      idle: total > 0 ? (m.idle - this.start.machine.idle) / total : NaN,
      steal: total > 0 ? (m.steal - this.start.machine.steal) / total : NaN,
    };
  }
}

export interface CpuShares {
  seconds: number;
  /** Share of all cores each named process used. */
  byProcess: Record<string, number>;
  /** Share of all cores left idle, and taken by the hypervisor (steal). */
  idle: number;
  steal: number;
}

/** Samples RSS of named processes every `everyMs` while running; `max()` per name. */
export class RssSampler {
  private readonly peaks = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  begin(everyMs = 500): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  end(): Record<string, number> {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(this.peaks);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      const rss = pid ? rssBytes(pid) : undefined;
      if (rss !== undefined) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, rss));
    }
  }
}
