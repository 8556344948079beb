import crypto from 'node:crypto';
import type { EpochRecord, JobRecord, JobRecordStore } from '@argus/queue';

/** Hit records this process remembers having written (oldest forgotten first). */
const MEMO_SIZE = 10_000;

interface Written {
  record: JobRecord;
  writtenAt: number;
  /** The Redis epoch it was written in: after a data loss it must be written again. */
  epoch: string | undefined;
}

/**
 * The job record behind a cache hit, written once rather than on every hit. A hit's id is
 * derived from its result key and its owner (a keyed hash shaped as a UUID, version 8), so
 * the same owner repeating an upload gets the same id, whose record this process has
 * already written: the repeat is answered after its MD5 and one Redis read (the result),
 * with no write. Any gateway reads the record back (`GET /v1/jobs/:id`); two owners never
 * share an id (the owner is part of the hash, and the record names its owner).
 *
 * A remembered record is written again after `refreshMs` (half the record TTL, so the
 * record outlives the memory of it) and after Redis lost its data (a new epoch).
 */
export class CacheHitRecords {
  /** Per process: ids need only be unique and unguessable, not shared between gateways. */
  private readonly secret = crypto.randomBytes(32);
  private readonly written = new Map<string, Written>();

  constructor(
    private readonly records: JobRecordStore,
    private readonly refreshMs: number,
    private readonly epoch?: { readonly epoch: EpochRecord | undefined },
  ) {}

  idFor(resultKey: string, owner: string | undefined): string {
    const b = crypto
      .createHmac('sha256', this.secret)
      .update(`${resultKey}\n${owner ?? ''}`)
      .digest()
      .subarray(0, 16);
    b[6] = 0x80 | (b[6] & 0x0f); // version 8 (custom): never taken for a UUIDv7 job id
    b[8] = 0x80 | (b[8] & 0x3f); // RFC variant
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** The record of this hit: the remembered one, or a new one written now. */
  async recordFor(hit: Omit<JobRecord, 'id' | 'createdAt' | 'finishedAt' | 'status'>): Promise<JobRecord> {
    const id = this.idFor(hit.resultKey, hit.owner);
    const now = Date.now();
    const epoch = this.epoch?.epoch?.id;
    const known = this.written.get(id);
    if (known && known.epoch === epoch && now - known.writtenAt < this.refreshMs) return known.record;
    const record: JobRecord = { ...hit, id, status: 'completed', createdAt: now, finishedAt: now };
    await this.records.put(record);
    this.written.delete(id);
    if (this.written.size >= MEMO_SIZE) this.written.delete(this.written.keys().next().value as string);
    this.written.set(id, { record, writtenAt: now, epoch });
    return record;
  }
}
