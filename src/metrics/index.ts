/** Prometheus metrics: one registry per process, served at `/metrics` (docs/metrics.md lists every name). */
export { createMetrics, type LogMetrics, type Metrics, type HttpLabels } from './metrics.js';
