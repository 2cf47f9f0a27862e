import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What the log engine reports. The engine calls these as it works; it never sees prom-client. Every method is
 * cheap and synchronous, safe to call from the sequencer's hot path.
 */
export interface LogMetrics {
  /** A batch of `entries` became durable (one storage commit). */
  batchWritten(entries: number): void;
  /** Entries admitted but not yet sequenced, after a change. */
  queueDepth(entries: number): void;
  /** A new signed tree head: its size and its timestamp (ms since the epoch). */
  treeHead(size: number, timestampMs: number): void;
  /** A storage operation failed (database unreachable, disk full, constraint broken). */
  databaseError(): void;
}

export type HttpLabels = 'method' | 'route' | 'status';

/**
 * One registry per process with every signet metric in it; `/metrics` serves `registry`. Services get their part
 * (`log`, `certificateIssued`, `databaseError`) and never touch prom-client themselves.
 *
 * @example
 *   const metrics = createMetrics();
 *   const app = await buildServer({ services, logger, metrics });
 *   // curl http://127.0.0.1:3000/metrics
 */
export interface Metrics {
  readonly registry: Registry;
  readonly http: {
    requests: Counter<HttpLabels>;
    duration: Histogram<HttpLabels>;
    /** Request body bytes held by requests in flight, and requests turned away because the budget was spent. */
    inflightBodyBytes: Gauge;
    bodyBudgetRejections: Counter;
  };
  /** The log engine's part for one log (`rekor` for v1, `rekor2` for v2): both may run in one process. */
  log(name: string): LogMetrics;
  /** The CA handed out a certificate (`sct`: whether it carries an embedded SCT). */
  certificateIssued(sct: boolean): void;
  /** A storage failure in `service` (log, ct, ...). */
  databaseError(service: string): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'signet_' });
  const registers = [registry];
  const http = {
    requests: new Counter({
      name: 'signet_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'signet_http_request_duration_seconds',
      help: 'time from request received to response sent, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    inflightBodyBytes: new Gauge({
      name: 'signet_http_inflight_body_bytes',
      help: 'request body bytes held by requests in flight (bounded by the in-flight body budget)',
      registers,
    }),
    bodyBudgetRejections: new Counter({
      name: 'signet_http_body_budget_rejections_total',
      help: 'requests answered 503 because the in-flight body budget was spent',
      registers,
    }),
  };
  const dbErrors = new Counter({
    name: 'signet_database_errors_total',
    help: 'storage operations that failed, by service',
    labelNames: ['service'] as const,
    registers,
  });
  const certificates = new Counter({
    name: 'signet_ca_certificates_issued_total',
    help: 'certificates issued by the CA, by whether an SCT is embedded',
    labelNames: ['sct'] as const,
    registers,
  });
  return {
    registry,
    http,
    log: logMetrics(registers, () => dbErrors.inc({ service: 'log' })),
    certificateIssued: (sct) => certificates.inc({ sct: sct ? 'embedded' : 'detached' }),
    databaseError: (service) => dbErrors.inc({ service }),
  };
}

function logMetrics(registers: Registry[], databaseError: () => void): (name: string) => LogMetrics {
  const labelNames = ['log'] as const;
  const appended = new Counter({
    name: 'signet_log_entries_appended_total',
    help: 'entries made durable in the transparency log by this process, by log',
    labelNames,
    registers,
  });
  const batches = new Histogram({
    name: 'signet_log_batch_size',
    help: 'entries per storage commit of the sequencer, by log',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    labelNames,
    registers,
  });
  const queue = new Gauge({
    name: 'signet_log_queue_depth',
    help: 'entries admitted by this process and waiting to be sequenced, by log',
    labelNames,
    registers,
  });
  const size = new Gauge({
    name: 'signet_log_tree_size',
    help: 'size of the latest signed tree head this process knows, by log',
    labelNames,
    registers,
  });
  const headAt = new Map<string, number>();
  new Gauge({
    name: 'signet_log_checkpoint_age_seconds',
    help: 'seconds since the latest signed tree head this process knows was made, by log',
    labelNames,
    registers,
    collect() {
      const now = Date.now();
      for (const [log, at] of headAt) this.set({ log }, Math.max(0, (now - at) / 1000));
    },
  });
  const made = new Map<string, LogMetrics>();
  return (log) => {
    let m = made.get(log);
    if (m) return m;
    const labels = { log };
    m = {
      batchWritten(entries) {
        appended.inc(labels, entries);
        batches.observe(labels, entries);
      },
      queueDepth: (entries) => queue.set(labels, entries),
      treeHead(treeSize, timestampMs) {
        size.set(labels, treeSize);
        headAt.set(log, timestampMs);
      },
      databaseError,
    };
    made.set(log, m);
    return m;
  };
}
