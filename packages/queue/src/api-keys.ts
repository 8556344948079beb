import crypto from 'node:crypto';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/**
 * `client` (the default) sees only the jobs it submitted; `admin` (an operator) sees every
 * job and may cancel and redeliver any of them.
 */
export type ApiKeyRole = 'client' | 'admin';

/** What is stored for a key: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  createdAt: string;
  revokedAt?: string;
  /** Absent on keys created before roles existed: `client`. */
  role?: ApiKeyRole;
  /** Per-key overrides of RATE_LIMIT_PER_MINUTE and DAILY_JOB_QUOTA. */
  ratePerMinute?: number;
  dailyQuota?: number;
}

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

/**
 * API keys in Redis, shared by every gateway replica: a hash of sha256(key) → record. A
 * leaked Redis dump does not leak usable keys. Keys from the API_KEYS variable are kept
 * in memory the same way (hashed at boot).
 */
export class ApiKeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Creates a key; the plain key is returned once and never stored. */
  async create(
    name: string,
    limits: Pick<ApiKeyRecord, 'ratePerMinute' | 'dailyQuota' | 'role'> = {},
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = `argus_${crypto.randomBytes(24).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id: `key_${crypto.randomBytes(6).toString('hex')}`,
      name,
      createdAt: new Date().toISOString(),
      ...limits,
      role: limits.role ?? 'client',
    };
    await this.redis.hset(this.keys.apiKeys(), hashApiKey(key), JSON.stringify(record));
    return { key, record };
  }

  async lookup(key: string): Promise<ApiKeyRecord | null> {
    const raw = await this.redis.hget(this.keys.apiKeys(), hashApiKey(key));
    return raw ? (JSON.parse(raw) as ApiKeyRecord) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const all = await this.redis.hvals(this.keys.apiKeys());
    return all
      .map((r) => JSON.parse(r) as ApiKeyRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Number of records, revoked ones included: a revoked key is proof that keys are in use,
   * so the API never falls back to open because the last key was revoked.
   */
  async recordCount(): Promise<number> {
    return this.redis.hlen(this.keys.apiKeys());
  }

  async revoke(id: string): Promise<boolean> {
    const entries = await this.redis.hgetall(this.keys.apiKeys());
    for (const [hash, raw] of Object.entries(entries)) {
      const record = JSON.parse(raw) as ApiKeyRecord;
      if (record.id !== id) continue;
      record.revokedAt = new Date().toISOString();
      await this.redis.hset(this.keys.apiKeys(), hash, JSON.stringify(record));
      return true;
    }
    return false;
  }
}
