import { AppError } from '@argus/contracts';

/**
 * Runs a Redis-backed operation on the request path with a deadline. Redis being away or
 * slow becomes 503 `unavailable` at once, never a hanging request.
 */
export async function guardRedis<T>(op: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AppError(
            'unavailable',
            `the job store did not answer within ${timeoutMs} ms; try again shortly`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([op(), deadline]);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('unavailable', 'the job store (Redis) is unreachable; try again shortly');
  } finally {
    clearTimeout(timer);
  }
}
