/** The MetricsPort on Powertools metrics: CloudWatch embedded metric format, in the function's namespace. */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricsPort } from '../domain/dsr-ports';

export class PowertoolsMetrics implements MetricsPort {
  constructor(private readonly metrics: Metrics) {}

  count(name: string, value: number): void {
    this.metrics.addMetric(name, MetricUnit.Count, value);
  }

  flush(): void {
    this.metrics.publishStoredMetrics();
  }
}

/** Keeps what was published in memory: local mode and tests read it back. */
export class RecordingMetrics implements MetricsPort {
  private pending: Array<{ name: string; value: number }> = [];
  readonly published: Array<{ readonly name: string; readonly value: number }> = [];

  count(name: string, value: number): void {
    this.pending.push({ name, value });
  }

  flush(): void {
    this.published.push(...this.pending);
    this.pending = [];
  }

  /** The last published value of a metric. */
  last(name: string): number | undefined {
    return this.published.filter((m) => m.name === name).at(-1)?.value;
  }
}
