import fs from 'node:fs';
import os from 'node:os';

/** cgroup v2 and v1 files that hold this process's memory limit (containers, k8s pods). */
const LIMIT_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/**
 * The memory this process may use: its cgroup's limit when one is set, else the machine's
 * memory. Defaults that scale with memory (the gateway's upload budget) are sized from it.
 */
export function memoryLimitBytes(): number {
  const total = os.totalmem();
  for (const file of LIMIT_FILES) {
    try {
      const text = fs.readFileSync(file, 'utf8').trim();
      const limit = Number(text);
      // "max" (v2) or a near-2^63 value (v1) mean no limit.
      if (Number.isFinite(limit) && limit > 0 && limit < total) return limit;
    } catch {
      // Not in a cgroup of this kind.
    }
  }
  return total;
}
