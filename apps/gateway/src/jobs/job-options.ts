import type { z } from 'zod';
import { AppError, JOB_CATALOG, type Task } from '@argus/contracts';
import { resolveModel, type Manifest } from '@argus/manifest';

/** Distinct option sets remembered by `prepare` (oldest forgotten first). */
const PREPARED_MEMO_SIZE = 512;

export interface PreparedOptions {
  options: Record<string, unknown>;
  model: { id: string; sha256: string };
}

/**
 * A submission's form fields → validated options and the model that runs them. Parsed once
 * per distinct set of fields and remembered: a repeated upload (the cache-hit path) does not
 * re-run the zod schema nor resolve the model again.
 */
export class JobOptions {
  private readonly prepared = new Map<string, PreparedOptions>();

  constructor(
    readonly manifest: Manifest,
    /** Models this server could not install (id → why); a job naming one fails with 400. */
    private readonly missingModels: Readonly<Record<string, string>> = {},
  ) {}

  /** Every model of the manifest, with why it is missing when this server could not install it. */
  modelCatalog(): { id: string; task: Task; default: boolean; missing?: string }[] {
    return this.manifest.models.map((m) => ({
      id: m.id,
      task: m.task,
      default: m.default,
      ...(m.id in this.missingModels ? { missing: this.missingModels[m.id] } : {}),
    }));
  }

  parse(task: Task, fields: Record<string, unknown>): Record<string, unknown> {
    const schema = JOB_CATALOG[task].optionsSchema as z.ZodType<Record<string, unknown>>;
    const parsed = schema.safeParse(Object.fromEntries(knownFields(fields)));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
      throw new AppError('invalid_option', problems.join('; '));
    }
    return parsed.data;
  }

  /** Parsed options and the resolved model, remembered per task and distinct set of fields. */
  prepare(task: Task, fields: Record<string, unknown>): PreparedOptions {
    const known = knownFields(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const memoKey = `${task}\n${JSON.stringify(known)}`;
    const memo = this.prepared.get(memoKey);
    if (memo) return memo;
    const options = this.parse(task, fields);
    const model = resolveModel(this.manifest, task, options.model as string | undefined, this.missingModels);
    const prepared = { options, model: { id: model.id, sha256: model.sha256 } };
    if (this.prepared.size >= PREPARED_MEMO_SIZE) {
      this.prepared.delete(this.prepared.keys().next().value as string);
    }
    this.prepared.set(memoKey, prepared);
    return prepared;
  }
}

/** The option fields of a form: everything but `task`, without empty values. */
function knownFields(fields: Record<string, unknown>): [string, unknown][] {
  return Object.entries(fields).filter(([k, v]) => k !== 'task' && v !== undefined && v !== '');
}
