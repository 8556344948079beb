import type { Request } from 'express';
import { AppError } from '@argus/contracts';
import type { ApiKeyRecord } from '@argus/queue';

/**
 * Who is asking. `open`: the API runs without keys (chosen, see auth-mode.ts), so there is
 * no identity and every job is visible. `key`: a valid API key; a client key sees the jobs
 * it created, an admin key sees every job.
 */
export type Access = { kind: 'open' } | { kind: 'key'; key: ApiKeyRecord; admin: boolean };

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the auth middleware on every route that is not public. */
    access?: Access;
  }
}

export const OPEN_ACCESS: Access = Object.freeze({ kind: 'open' });

/**
 * The caller of a protected route. A route that reads jobs must have passed the auth
 * middleware; if it somehow did not, it refuses rather than serving (deny by default).
 */
export function accessOf(req: Request): Access {
  if (!req.access)
    throw new AppError('unauthorized', 'this API needs a key: send "Authorization: Bearer <key>"');
  return req.access;
}

/** The owner recorded on what this caller creates (undefined in open mode). */
export function ownerOf(access: Access): string | undefined {
  return access.kind === 'key' ? access.key.id : undefined;
}

/** Whether the caller may see (read, cancel, redeliver) a job owned by `owner`. */
export function canSee(access: Access, owner: string | undefined): boolean {
  if (access.kind === 'open') return true;
  return access.admin || owner === access.key.id;
}

/** The key id for logs and metrics: never the key. */
export function keyIdOf(req: Request): string | undefined {
  return req.access?.kind === 'key' ? req.access.key.id : undefined;
}
