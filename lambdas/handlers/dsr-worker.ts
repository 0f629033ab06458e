/** Lambda entry point for the DSR worker (SQS). Everything is built once, at cold start. */
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { S3ExportStore } from '../adapters/s3-export-store';
import { dsrWorkerDeps, dsrWorkerHandler } from '../api/dsr-worker';
import { DSR_WORKER_TABLES } from '../api/function-tables';
import { EXPORT_BUCKET_ENV, requireEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaProviderOptOuts, lambdaTablePorts } from './lambda-ports';

const processBatch = dsrWorkerHandler(
  dsrWorkerDeps({
    ...lambdaTablePorts(DSR_WORKER_TABLES),
    exports: new S3ExportStore(tracer.captureAWSv3Client(new S3Client({})), requireEnv(EXPORT_BUCKET_ENV)),
    providerOptOuts: lambdaProviderOptOuts(),
  }),
  logger,
);

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  beginInvocation(context);
  return processBatch(event, context);
}
