/** Lambda entry point for inbound SMS (SNS → SQS, raw message delivery). Everything is built once, at cold start. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { INBOUND_TABLES } from '../api/function-tables';
import { inboundDeps, inboundSmsHandler } from '../api/inbound-sms';
import type { InboundNumber } from '../domain/origination-identities';
import { SLOT_POLICIES } from '../domain/send-slot';
import { INBOUND_NUMBERS_ENV, requireEnv } from '../shared/env';
import { logger } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaPorts, lambdaProviderOptOuts, lambdaSmsSender } from './lambda-ports';

const ports = lambdaPorts(INBOUND_TABLES);
const processBatch = inboundSmsHandler({
  inbound: inboundDeps({
    ...ports,
    sender: lambdaSmsSender(ports, SLOT_POLICIES.oneToOne),
    providerOptOuts: lambdaProviderOptOuts(),
  }),
  inboundNumbers: JSON.parse(requireEnv(INBOUND_NUMBERS_ENV)) as InboundNumber[],
  logger,
});

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  beginInvocation(context);
  return processBatch(event, context);
}
