import type { Request, RequestHandler, Response } from 'express';
import { AppError, type ErrorBody } from '@argus/contracts';

/** Told of each refusal (the gateway's metrics). */
export interface UploadBudgetObserver {
  budgetRefused(reason: 'content-length' | 'streaming'): void;
}

/**
 * Bytes of upload bodies a gateway holds at once (UPLOAD_BUDGET_BYTES). Uploads are read
 * into memory, so without a bound a flood of large uploads takes the process past its
 * memory limit. A reservation lasts until the answer is sent (or the connection closes):
 * the bytes live in the request until then.
 */
export class UploadBudget {
  private inFlight = 0;

  constructor(
    readonly capacityBytes: number,
    /** Retry-After on a refusal: in-flight uploads usually finish within a second or two. */
    readonly retryAfterSeconds = 2,
  ) {}

  get usedBytes(): number {
    return this.inFlight;
  }

  tryReserve(bytes: number): boolean {
    if (this.inFlight + bytes > this.capacityBytes) return false;
    this.inFlight += bytes;
    return true;
  }

  release(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes);
  }
}

/**
 * Reserves an upload's bytes before its body is read: the Content-Length when sent (a
 * refusal then costs no body bytes at all), else chunk by chunk as the body streams in.
 * A refusal is 503 `overloaded` with Retry-After and `Connection: close`, so Node does not
 * read the rest of a refused body to reuse the connection.
 */
export function uploadBudget(
  budget: UploadBudget,
  /** The route's per-upload limit (POST /v1/jobs also takes videos, up to MAX_VIDEO_BYTES). */
  maxUploadBytes: number | ((req: Request) => number),
  observer?: UploadBudgetObserver,
): RequestHandler {
  const limitOf = typeof maxUploadBytes === 'number' ? () => maxUploadBytes : maxUploadBytes;
  return (req, res, next) => {
    let held = 0;
    let released = false;
    const releaseAll = () => {
      if (released) return;
      released = true;
      budget.release(held);
    };
    res.once('close', releaseAll);

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > 0) {
      // More than the per-upload limit is refused by multer (413) without being stored:
      // reserve at most that limit plus the form's fields.
      const bytes = Math.min(declared, limitOf(req) + 64 * 1024);
      if (bytes > budget.capacityBytes) {
        // Larger than the whole budget (a big video on a small gateway): a retry can never
        // be admitted, so this is 413, not 503 + Retry-After.
        res.setHeader('Connection', 'close');
        next(
          new AppError(
            'payload_too_large',
            `the upload (${declared} bytes) is larger than this gateway's upload budget (${budget.capacityBytes} bytes)`,
          ),
        );
        return;
      }
      if (!budget.tryReserve(bytes)) {
        observer?.budgetRefused('content-length');
        res.setHeader('Connection', 'close');
        next(refusal(budget));
        return;
      }
      held = bytes;
      next();
      return;
    }

    // Chunked body: count while streaming. The listener runs beside multer's pipe; it only
    // counts. On overflow the answer goes out at once and the socket is closed after it.
    req.on('data', (chunk: Buffer) => {
      if (released) return;
      if (budget.tryReserve(chunk.length)) {
        held += chunk.length;
        return;
      }
      observer?.budgetRefused('streaming');
      refuseNow(res, refusal(budget));
      req.unpipe();
      req.pause();
      res.once('finish', () => req.destroy());
    });
    next();
  };
}

function refusal(budget: UploadBudget): AppError {
  return new AppError(
    'overloaded',
    `the gateway is receiving too many uploads at once (${Math.round(budget.capacityBytes / 1048576)} MiB in flight); retry shortly`,
    503,
    budget.retryAfterSeconds,
  );
}

function refuseNow(res: Response, err: AppError): void {
  if (res.headersSent) return;
  const body: ErrorBody = err.toJSON();
  res.setHeader('Connection', 'close');
  res.setHeader('Retry-After', String(err.retryAfterSeconds ?? 1));
  res.status(err.status).json(body);
}

/** UPLOAD_BUDGET_BYTES = 0: a quarter of the memory limit, between 32 MiB and 512 MiB. */
export function defaultUploadBudget(memoryLimitBytes: number): number {
  return Math.min(512 * 1048576, Math.max(32 * 1048576, Math.floor(memoryLimitBytes / 4)));
}
