/**
 * What ioredis (and BullMQ through it) says when Redis cannot answer: a command past the
 * connection's `commandTimeout`, a connection that is down or closed (the producer's offline
 * queue is off, so commands fail at once), a cluster with no reachable node, and the replies
 * a server gives while it cannot serve (loading, failing over).
 */
const UNAVAILABLE =
  /Command timed out|Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries per request|None of startup nodes|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|startup nodes|slots cache|Cluster isn't ready|Cluster is disconnect|^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN)\b/i;

/** True when `err` means "Redis is away or too slow", as opposed to a bug or a bad reply. */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E(CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH)$/.test(code))
    return true;
  return err.name === 'ClusterAllFailedError' || UNAVAILABLE.test(err.message);
}

/** True when `err` is a command that ran past the connection's `commandTimeout`. */
export function isRedisTimeout(err: unknown): boolean {
  return err instanceof Error && /Command timed out/.test(err.message);
}
