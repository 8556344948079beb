import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';

// The zod builders of EnvSchema (config.schema.ts): how each kind of variable is read.

/** The repository root, found from this file's place (src/ or dist/ of packages/config). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const defaultMirror = (): string | undefined => {
  const sibling = path.resolve(REPO_ROOT, '..', 'shared', 'models');
  return fs.existsSync(sibling) ? sibling : undefined;
};

/** `true/false/1/0/yes/no/on/off`, case-insensitive; anything else is an error, not `true`. */
export const envBoolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const v = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected a boolean (true/false), got "${value}"` });
      return z.NEVER;
    });

/**
 * `redis://` or `rediss://` (one server, a URL), or the Redis Cluster form
 * `redis+cluster://[user:password@]host:port,host:port,…` (`rediss+cluster://` for TLS);
 * `createRedis` in @argus/queue reads both.
 */
export const redisUrl = () =>
  z.string().refine(
    (value) => {
      const cluster = /^rediss?\+cluster:\/\/(?:[^@/]*@)?([^/?#@]+)\/?$/.exec(value);
      if (cluster)
        return cluster[1]
          .split(',')
          .every((node) => /^(?:\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.test(node.trim()));
      return /^rediss?:\/\//.test(value) && URL.canParse(value);
    },
    {
      message:
        'expected redis://host:port[/db], rediss://…, or redis+cluster://host:port,host:port,… (rediss+cluster:// for TLS)',
    },
  );

export const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const csv = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((value) =>
      value === undefined || value.trim() === ''
        ? fallback
        : value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

/** Per-model batching and instance settings (`MODEL_OVERRIDES`); unset fields take the global knobs. */
export interface ModelOverride {
  maxBatchSize?: number;
  maxQueueDelayMs?: number;
  preferredBatchSizes?: number[];
  instances?: number;
  intraOpThreads?: number;
}

const OVERRIDE_RANGES: Record<keyof ModelOverride, [number, number]> = {
  maxBatchSize: [1, 64],
  maxQueueDelayMs: [0, 10_000],
  preferredBatchSizes: [1, 64],
  instances: [1, 16],
  intraOpThreads: [1, 256],
};

/** Comma-separated whole numbers in [min, max], sorted and deduplicated. */
export const intCsv = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return [];
      const nums = value.split(',').map((part) => Number(part.trim()));
      if (nums.some((n) => !Number.isInteger(n) || n < min || n > max)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected whole numbers from ${min} to ${max}, got "${value}"`,
        });
      }
      return [...new Set(nums)].sort((a, b) => a - b);
    });

/**
 * `MODEL_OVERRIDES`: `<model id>:<key>=<value>,…;<model id>:…`, keys as in `ModelOverride`;
 * `preferredBatchSizes` joins its sizes with `|` (`yolov8n:maxBatchSize=8,preferredBatchSizes=4|8`).
 */
export const modelOverrides = () =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const out: Record<string, ModelOverride> = {};
      const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
      for (const spec of (value ?? '').split(';').map((s) => s.trim())) {
        if (!spec) continue;
        const colon = spec.indexOf(':');
        const id = colon > 0 ? spec.slice(0, colon).trim() : '';
        if (!id) {
          fail(`"${spec}": expected <model id>:<key>=<value>,…`);
          continue;
        }
        const override: ModelOverride = (out[id] ??= {});
        for (const pair of spec
          .slice(colon + 1)
          .split(',')
          .map((s) => s.trim())) {
          if (!pair) continue;
          const [key, raw = ''] = pair.split('=').map((s) => s.trim());
          if (!(key in OVERRIDE_RANGES)) {
            fail(`${id}: unknown key "${key}" (known: ${Object.keys(OVERRIDE_RANGES).join(', ')})`);
            continue;
          }
          const field = key as keyof ModelOverride;
          const [min, max] = OVERRIDE_RANGES[field];
          const nums = raw.split('|').map(Number);
          const many = field === 'preferredBatchSizes';
          if (
            !raw ||
            (!many && nums.length > 1) ||
            nums.some((n) => !Number.isInteger(n) || n < min || n > max)
          ) {
            fail(
              `${id}: ${key}=${raw}: expected ${many ? 'whole numbers joined by |' : 'a whole number'} from ${min} to ${max}`,
            );
            continue;
          }
          if (field === 'preferredBatchSizes') override[field] = [...new Set(nums)].sort((a, b) => a - b);
          else override[field] = nums[0];
        }
      }
      return out;
    });

/** `MODEL_URL_MAP`: `from=to` pairs, comma-separated; both sides must be http(s) URLs. */
export const urlMap = () =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const pairs: [string, string][] = [];
      for (const spec of (value ?? '').split(',').map((s) => s.trim())) {
        if (!spec) continue;
        const eq = spec.indexOf('=');
        const [from, to] = eq > 0 ? [spec.slice(0, eq).trim(), spec.slice(eq + 1).trim()] : ['', ''];
        if (!/^https?:\/\//.test(from) || !/^https?:\/\//.test(to)) {
          ctx.addIssue({ code: 'custom', message: `"${spec}": expected <http(s) prefix>=<http(s) prefix>` });
          continue;
        }
        pairs.push([from, to]);
      }
      return pairs;
    });

/** `MODELS_MISSING`: a JSON object of model id → reason. */
export const modelsMissing = () =>
  z
    .string()
    .optional()
    .transform((value, ctx): Record<string, string> => {
      if (!value?.trim()) return {};
      try {
        const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(value));
        if (parsed.success) return parsed.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object {"<model id>": "<reason>"}' });
      return {};
    });
