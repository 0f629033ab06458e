/**
 * The DSR worker: SQS (KMS, dead-letter queue) → this batch handler, with partial batch failures. Each record
 * names one request by id; a record that fails is returned to the queue and retried, and after the redrive
 * limit it waits in the dead-letter queue, whose alarm tells the on-call. Redelivery is safe (see
 * `processDsr`).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoConsentStore } from '../adapters/dynamo/consent-store';
import { DynamoDsrStore } from '../adapters/dynamo/dsr-store';
import { DynamoSubjectDataStore } from '../adapters/dynamo/subject-data-store';
import type { ProviderOptOutList } from '../domain/consent';
import type { ExportStore } from '../domain/dsr-ports';
import { processDsr, type DsrWorkerDeps, type DsrWorkOutcome } from '../domain/dsr-processing';
import * as z from '../shared/zod';
import type { DSR_WORKER_TABLES } from './function-tables';
import type { Ports } from './ports';

export type DsrWorkerPorts = Omit<Ports<(typeof DSR_WORKER_TABLES)[number]>, 'subjectIds'> & {
  readonly exports: ExportStore;
  readonly providerOptOuts: ProviderOptOutList;
};

/** The stores the worker needs, built from ports: shared by the Lambda and the local server. */
export function dsrWorkerDeps(ports: DsrWorkerPorts): DsrWorkerDeps {
  return {
    dsrs: new DynamoDsrStore(ports.db, ports.tables, ports.clock),
    subjects: new DynamoSubjectDataStore(ports.db, ports.tables),
    exports: ports.exports,
    consent: new DynamoConsentStore(ports.db, ports.tables),
    providerOptOuts: ports.providerOptOuts,
    clock: ports.clock,
  };
}

/** The queue message: ids only. */
export const dsrWorkMessage = z.strictObject({
  tenantId: z.string().check(z.minLength(1), z.maxLength(64)),
  requestId: z.uuid(),
});

export function dsrRecordProcessor(
  deps: DsrWorkerDeps,
  logger: Pick<Logger, 'info' | 'warn'>,
): (record: SQSRecord) => Promise<DsrWorkOutcome | 'ignored'> {
  return async (record) => {
    let item: z.infer<typeof dsrWorkMessage>;
    try {
      item = dsrWorkMessage.parse(JSON.parse(record.body));
    } catch {
      // Retrying cannot make a malformed message valid; it is dropped, and says so.
      logger.warn('DSR message ignored: not a DSR work item', { outcome: 'ignored' });
      return 'ignored';
    }
    const outcome = await processDsr(deps, item);
    logger.info('DSR processed', { tenantId: item.tenantId, requestId: item.requestId, outcome });
    return outcome;
  };
}

export function dsrWorkerHandler(
  deps: DsrWorkerDeps,
  logger: Pick<Logger, 'info' | 'warn'>,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = dsrRecordProcessor(deps, logger);
  return (event, context) =>
    processPartialResponse(event, processRecord, processor, context === undefined ? {} : { context });
}
