import { EnvSchema, type Env } from './config.schema';

export type Config = Env;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once. Every bad variable is listed in one error, so a
 * misconfigured deployment fails at boot with the whole list instead of one at a time.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/**
 * Whether the operator set a variable (rather than leaving its default): `npm start` runs its
 * own Redis only when REDIS_URL was not given.
 */
export function envIsSet(name: keyof Config, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[name];
  return value !== undefined && value.trim() !== '';
}
