import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import type { GatewayTelemetry } from '../metrics/gateway-telemetry';

/** `GET /metrics`: the Prometheus scrape target of the whole fleet (see docs/metrics.md). */
export function metricsRouter(telemetry: GatewayTelemetry): Router {
  const router = strictRouter();
  router.get('/metrics', async (_req, res) => {
    const { contentType, text } = await telemetry.scrape();
    res.type(contentType).setHeader('Cache-Control', 'no-store');
    res.send(text);
  });
  return router;
}
