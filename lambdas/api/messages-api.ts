/** Route actions of the message routes: idempotent send, and status by id. */
import {
  IdempotencyConfig,
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { sendMessage, type SendDeps } from '../domain/messages';
import { expiresAt } from '../domain/retention';
import { ProviderThrottledError } from '../domain/sms';
import { logger } from '../shared/powertools';
import { ConflictError, NotFoundError, ProblemError, ServiceUnavailableError } from '../shared/problem';
import { type MessageAccepted, type MessageView, type SendMessageRequest } from '../shared/schemas';
import { classifyTransientFault, TRANSIENT_FAULT_RETRY_AFTER_SECONDS } from '../shared/transient-faults';
import type { ApiResult, RouteAction } from './api-handler';
import { sendDeps } from './domain-deps';
import type { MESSAGE_TABLES } from './function-tables';
import type { SendingPorts } from './ports';
import { idempotencyKeyOf } from './request-parts';

type MessagePorts = SendingPorts<(typeof MESSAGE_TABLES)[number]>;

/** Idempotency records live as long as the retention schedule says (24 hours). */
const IDEMPOTENCY_SECONDS = expiresAt('idempotencyRecords', new Date(0));

interface IdempotentSendInput {
  readonly tenantId: string;
  readonly key: string;
  readonly message: SendMessageRequest;
}

/**
 * How far one request's send got. Powertools reports a failure of its own record as one error, whichever step
 * failed; this tells them apart: before the send ran (nothing done), after it failed (the record could not be
 * deleted), or after it succeeded (the record could not be completed).
 */
interface SendProgress {
  ran: boolean;
  failure?: unknown;
  accepted?: MessageAccepted;
}

export interface MessageActions {
  readonly actions: Record<string, RouteAction>;
  /** Lambda entry points register their context here, so an in-progress key frees up when an invocation dies. */
  readonly idempotencyConfig: IdempotencyConfig;
}

export function messageActions(ports: MessagePorts): MessageActions {
  const deps: SendDeps = sendDeps(ports);
  const { messages } = deps;
  const idempotencyConfig = new IdempotencyConfig({
    // The key is scoped to the tenant; the body must match on replay, or the reuse is a conflict.
    eventKeyJmesPath: '[tenantId, key]',
    payloadValidationJmesPath: 'message',
    expiresAfterSeconds: IDEMPOTENCY_SECONDS,
  });
  // Keyed by the request's own input object, which Powertools hands to the function unchanged.
  const progress = new WeakMap<IdempotentSendInput, SendProgress>();
  const send = makeIdempotent(
    async (input: IdempotentSendInput): Promise<MessageAccepted> => {
      const step = progress.get(input) ?? { ran: false };
      step.ran = true;
      try {
        const { messageId, status } = await sendMessage(deps, input.tenantId, input.message);
        step.accepted = { messageId, status };
        return step.accepted;
      } catch (error) {
        step.failure = error;
        throw error;
      }
    },
    {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: ports.tables.Idempotency,
        awsSdkV3Client: ports.dynamo,
        expiryAttr: 'expiresAt',
      }),
      config: idempotencyConfig,
    },
  );

  const actions: Record<string, RouteAction> = {
    async sendMessage(request) {
      const input: IdempotentSendInput = {
        tenantId: request.caller.tenantId,
        key: idempotencyKeyOf(request.headers),
        message: request.body as SendMessageRequest,
      };
      const step: SendProgress = { ran: false };
      progress.set(input, step);
      try {
        const accepted = await send(input);
        return { statusCode: 202, body: accepted };
      } catch (error) {
        if (error instanceof IdempotencyPersistenceLayerError && step.ran) {
          return recordNotSettled(step, error, idempotencyConfig);
        }
        if (error instanceof IdempotencyValidationError) {
          throw new ConflictError({ detail: 'This Idempotency-Key was already used with a different body.' });
        }
        if (error instanceof IdempotencyAlreadyInProgressError) {
          throw new ConflictError({
            detail: 'A request with this Idempotency-Key is still in progress; retry shortly.',
          });
        }
        if (error instanceof ProviderThrottledError)
          throw new ServiceUnavailableError(error.retryAfterSeconds);
        throw unwrap(error);
      }
    },

    async getMessage(request) {
      const record = await messages.findById(
        request.caller.tenantId,
        request.pathParameters.messageId ?? '',
        ports.clock(),
      );
      if (!record) throw new NotFoundError({ detail: 'No message with this id.' });
      const view: MessageView = {
        messageId: record.messageId,
        status: record.status === 'received' ? 'delivered' : record.status,
        category: record.category,
        channel: record.channel,
        segments: record.segments,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
      };
      return { statusCode: 200, body: view };
    },
  };
  return { actions, idempotencyConfig };
}

/**
 * The send ran, but its idempotency record could not be settled (DynamoDB throttling or failing through the
 * SDK's retries). Once the message is done (sent, or refused by the provider for good, and logged), the answer
 * is still 202: a retry would send it again. Otherwise the key stays in progress until the invocation's time
 * is up, so a retry before then would get 409; the 503 asks the client to wait that long.
 */
function recordNotSettled(
  step: SendProgress,
  error: IdempotencyPersistenceLayerError,
  config: IdempotencyConfig,
): ApiResult {
  if (step.accepted) {
    logger.error('message sent but its idempotency record not completed', {
      incident: 'idempotency-not-completed',
      messageId: step.accepted.messageId,
      errorName: error.cause instanceof Error ? error.cause.name : error.name,
    });
    return { statusCode: 202, body: step.accepted };
  }
  const { failure } = step;
  // The request's own answer (a 422) stands; the key is free again once the invocation's time is up.
  if (failure instanceof ProblemError && failure.status < 500) throw failure;
  const retryable =
    failure instanceof ProviderThrottledError ||
    failure instanceof ProblemError ||
    classifyTransientFault(failure);
  if (!retryable) throw failure;
  const lockedMs = config.lambdaContext?.getRemainingTimeInMillis() ?? 0;
  const providerSeconds = failure instanceof ProviderThrottledError ? failure.retryAfterSeconds : 0;
  throw new ServiceUnavailableError(
    Math.max(TRANSIENT_FAULT_RETRY_AFTER_SECONDS, providerSeconds, Math.ceil(lockedMs / 1000)),
    { cause: error },
  );
}

/** Powertools wraps errors thrown inside the idempotent function; the domain's own errors must come through. */
function unwrap(error: unknown): unknown {
  return error instanceof Error && error.name === 'IdempotencyPersistenceLayerError' && error.cause
    ? error.cause
    : error;
}
