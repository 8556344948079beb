import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsJson } from './snapshot';

/**
 * Merges metric sets of several processes into one registry with prom-client's
 * `AggregatorRegistry.aggregate`, which groups samples by name and label set.
 *
 * Every worker labels its series with its own `worker` id and the gateway's series carry
 * none, so no two processes share a label set: the merge is a union and each series keeps
 * its process's value. The aggregator is therefore forced to `sum` (of one value), because
 * prom-client's defaults would drop `process_start_time_seconds` (`omit`) or blend
 * per-process gauges (`average` for event-loop lag) that the dashboard wants per worker.
 * Fleet totals are summed at query time instead (`sum by (task) (rate(…))`), which also
 * copes with restarted workers (see docs/metrics.md).
 */
export function mergeMetrics(parts: readonly MetricsJson[]): Registry {
  return AggregatorRegistry.aggregate(
    parts.map((metrics) => metrics.map((m) => ({ ...m, aggregator: 'sum' }))),
  );
}
