/** Ports for the deployed Lambda functions: traced AWS SDK clients, configured from the environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetedRetryStrategy } from '../adapters/dynamo/budgeted-retries';
import { queryOnly } from '../adapters/dynamo/query-only';
import { KmsSubjectIdDeriver } from '../adapters/kms-subject-id';
import { AwsProviderOptOutList } from '../adapters/optout-list/aws-provider-optout-list';
import { scheduledSender } from '../adapters/sms/rate-limited-sender';
import { ChannelRoutingSmsSender } from '../adapters/sms/sender-factory';
import { cognitoClaimsCaller, type CallerResolver } from '../api/callers';
import type { Ports } from '../api/ports';
import type { ProviderOptOutList } from '../domain/consent';
import type { SendRates } from '../domain/send-rate';
import type { SlotPolicy } from '../domain/send-slot';
import type { SmsSender } from '../domain/sms';
import type { ConfiguredTenant } from '../domain/tenants';
import {
  CONSOLE_CLIENT_ID_ENV,
  jsonEnv,
  OPERATOR_CLIENT_ENV,
  OPT_OUT_LIST_ENV,
  requireEnv,
  SEND_RATES_ENV,
  SUBJECT_ID_KEY_ENV,
  tableNamesFromEnv,
  TENANT_CLIENTS_ENV,
  TENANT_PROFILES_ENV,
  type TableId,
} from '../shared/env';
import { tracer } from '../shared/powertools';
import { useCellPeriodsFromEnv } from '../shared/retention-periods';
import { remainingMs } from './invocation';

/** Table access only, for functions that never see a phone number and so get no subject-id key. */
export function lambdaTablePorts<T extends TableId>(tableIds: readonly T[]): Omit<Ports<T>, 'subjectIds'> {
  // Every function builds its ports at cold start, before it writes anything: from here on, each TTL it
  // computes uses the cell's retention periods.
  useCellPeriodsFromEnv();
  // The SDK's retries, but no pause that would outlast the invocation: a lasting throttle reaches the handler
  // (a 503 for the API) before the function times out (lambdas/adapters/dynamo/budgeted-retries.ts).
  const retryStrategy = new BudgetedRetryStrategy({ remainingMs });
  // Reads by key and key-condition queries only: anything table-wide is refused before it is sent.
  const dynamo = queryOnly(tracer.captureAWSv3Client(new DynamoDBClient({ retryStrategy })));
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return {
    dynamo,
    db,
    tables: tableNamesFromEnv(tableIds),
    clock: () => new Date(),
    tenantProfiles: jsonEnv<Record<string, ConfiguredTenant>>(TENANT_PROFILES_ENV, {}),
  };
}

export function lambdaPorts<T extends TableId>(tableIds: readonly T[]): Ports<T> {
  const kms = tracer.captureAWSv3Client(new KMSClient({}));
  return {
    ...lambdaTablePorts(tableIds),
    subjectIds: new KmsSubjectIdDeriver(kms, requireEnv(SUBJECT_ID_KEY_ENV)),
  };
}

/** The cell's provider opt-out lists; clients retry throttling themselves (the SDK's standard mode). */
export function lambdaProviderOptOuts(): ProviderOptOutList {
  return new AwsProviderOptOutList({
    endUserMessaging: tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({})),
    sns: tracer.captureAWSv3Client(new SNSClient({})),
    optOutListName: requireEnv(OPT_OUT_LIST_ENV),
  });
}

export function lambdaCallers(): CallerResolver {
  return cognitoClaimsCaller(JSON.parse(requireEnv(TENANT_CLIENTS_ENV)) as Record<string, string>, {
    console: requireEnv(CONSOLE_CLIENT_ID_ENV),
    // Set on every API function; the operator routes are only on the incidents function.
    operator: process.env[OPERATOR_CLIENT_ENV] || undefined,
  });
}

/** Time kept back from a slot wait for the send itself and for answering. */
const SEND_MARGIN_MS = 2_000;

/**
 * One sender for every channel a tenant may use, after a slot on its origination identity's shared schedule
 * (DESIGN §10 "Rate"; lambdas/domain/send-rate.ts), kept in the Idempotency table. A send waits for its slot at
 * most its policy's `maxWaitMs` and never past the invocation's time; longer, it fails as throttled. Clients make a single
 * attempt each: the adapters retry throttling themselves, within what is left of the invocation.
 */
export function lambdaSmsSender(
  ports: Pick<Ports<'Idempotency'>, 'db' | 'tables'>,
  policy: SlotPolicy,
): SmsSender {
  const channels = new ChannelRoutingSmsSender({
    sns: tracer.captureAWSv3Client(new SNSClient({ maxAttempts: 1 })),
    endUserMessaging: tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({ maxAttempts: 1 })),
    pinpoint: tracer.captureAWSv3Client(new PinpointClient({ maxAttempts: 1 })),
    retry: { deadline: remainingMs },
  });
  return scheduledSender(channels, {
    db: ports.db,
    tables: ports.tables,
    rates: JSON.parse(requireEnv(SEND_RATES_ENV)) as SendRates,
    policy,
    budgetMs: () => remainingMs() - SEND_MARGIN_MS,
  });
}
