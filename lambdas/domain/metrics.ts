/**
 * A small metrics port, so jobs can emit counts without depending on Powertools, and tests and local mode can
 * observe what would be published. Metric names carry no personal data and no dimension ever holds an id.
 */
export interface MetricSink {
  /** Emits one count now. */
  count(name: string, value: number): void;
}

/** The count of items still readable more than the grace period past their `expiresAt` (alarmed on). */
export const RETENTION_OVERDUE_METRIC = 'RetentionOverdueItems';

/** Keeps what was emitted, in order: for tests and the local server. */
export class RecordingMetricSink implements MetricSink {
  private readonly emitted: Array<{ readonly name: string; readonly value: number }> = [];

  count(name: string, value: number): void {
    this.emitted.push({ name, value });
  }

  /** Everything emitted so far, oldest first. */
  entries(): ReadonlyArray<{ readonly name: string; readonly value: number }> {
    return [...this.emitted];
  }
}
