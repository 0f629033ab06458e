/** The MetricSink port on Powertools metrics (CloudWatch embedded metric format, published at once). */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricSink } from '../domain/metrics';

export class PowertoolsMetricSink implements MetricSink {
  constructor(private readonly metrics: Metrics) {}

  count(name: string, value: number): void {
    // A single metric is flushed on its own line right away, with the service as its only dimension.
    this.metrics.singleMetric().addMetric(name, MetricUnit.Count, value);
  }
}
