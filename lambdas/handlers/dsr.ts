/** Lambda entry point for the data-subject request routes. Everything is built once, at cold start. */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3ExportStore } from '../adapters/s3-export-store';
import { SqsDsrQueue } from '../adapters/sqs-dsr-queue';
import { dsrActions } from '../api/dsr-api';
import { DSR_API_TABLES } from '../api/function-tables';
import type { Regime } from '../domain/regimes';
import { DSR_QUEUE_URL_ENV, EXPORT_BUCKET_ENV, REGIME_ENV, requireEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { lambdaApiHandler } from './api-entry';
import { lambdaPorts } from './lambda-ports';

const regime = requireEnv(REGIME_ENV);
if (regime !== 'GDPR' && regime !== 'CCPA') throw new Error(`${REGIME_ENV} must be GDPR or CCPA`);

export const handler = lambdaApiHandler(
  'dsr',
  dsrActions({
    ...lambdaPorts(DSR_API_TABLES),
    queue: new SqsDsrQueue(tracer.captureAWSv3Client(new SQSClient({})), requireEnv(DSR_QUEUE_URL_ENV)),
    exports: new S3ExportStore(tracer.captureAWSv3Client(new S3Client({})), requireEnv(EXPORT_BUCKET_ENV)),
    regime: regime as Regime,
    onEnqueueFailed: (errorName) =>
      logger.warn('DSR request stored but not queued; a later GET or the dsr-deadlines job queues it', {
        errorName,
      }),
  }),
);
