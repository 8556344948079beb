/**
 * Just enough of the Dockerfile and .dockerignore grammars to check our images without a
 * Docker engine: instructions with their flags, stages, and which context paths the build
 * can see. Not a general parser (no escape directive, no heredocs; we use neither).
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** `--name=value` flags before the arguments (`--from=build`, `--mount=…`). */
  flags: Record<string, string>;
  /** The rest of the line, continuations joined. */
  args: string;
  line: number;
}

export interface Stage {
  /** `AS` name, or the stage's index as text. */
  name: string;
  /** The image or stage it starts from, variables unexpanded. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: { text: string; line: number }[] = [];
  let current = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (current === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current !== '' && trimmed.startsWith('#')) return; // comment inside a continuation
    if (current === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      current += `${trimmed.slice(0, -1)} `;
      return;
    }
    logical.push({ text: (current + trimmed).trim(), line: start });
    current = '';
  });

  const file: Dockerfile = { globalArgs: {}, stages: [] };
  for (const { text: l, line } of logical) {
    const [keyword, ...restWords] = l.split(/\s+/);
    let rest = restWords.join(' ');
    const flags: Record<string, string> = {};
    for (;;) {
      const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
      if (!m) break;
      flags[m[1]] = m[2] ?? 'true';
      rest = rest.slice(m[0].length);
    }
    const instruction: Instruction = { keyword: keyword.toUpperCase(), flags, args: rest, line };
    if (instruction.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!m) throw new Error(`line ${line}: cannot read FROM ${rest}`);
      file.stages.push({ name: m[2] ?? String(file.stages.length), from: m[1], instructions: [] });
    } else if (file.stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${line}: ${keyword} before the first FROM`);
      const [name, value = ''] = rest.split('=');
      file.globalArgs[name] = value.replace(/^"|"$/g, '');
    } else {
      file.stages[file.stages.length - 1].instructions.push(instruction);
    }
  }
  return file;
}

/** Sources of a COPY/ADD (JSON or shell form), the destination left out. */
export function copySources(instruction: Instruction): string[] {
  const parts = instruction.args.startsWith('[')
    ? (JSON.parse(instruction.args) as string[])
    : instruction.args.split(/\s+/);
  return parts.slice(0, -1);
}

/** Replaces `${NAME}` and `$NAME` with `vars`; unknown names stay as they are. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a?: string, b?: string) => vars[(a ?? b)!] ?? whole);
}

/**
 * Whether `.dockerignore` (Docker's rules: patterns relative to the context root, `*` within
 * one path segment, `**` across segments, `!` re-includes, the last match wins, excluding a
 * folder excludes what is inside) keeps `relPath` out of the build context.
 */
export function dockerIgnored(dockerignore: string, relPath: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const re = pattern
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '.*'
            : seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${re}$`) };
    });
  const segments = relPath.replace(/^\.\/|\/$/g, '').split('/');
  // The path or any of its parent folders.
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.re.test(c))) ignored = !rule.negate;
  }
  return ignored;
}
