/** Route actions of the message routes: idempotent send, and status by id. */
import {
  IdempotencyConfig,
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { sendMessage, type SendDeps } from '../domain/messages';
import { expiresAt } from '../domain/retention';
import { ProviderThrottledError } from '../domain/sms';
import { ConflictError, InvalidInputError, NotFoundError, ServiceUnavailableError } from '../shared/problem';
import {
  IDEMPOTENCY_KEY_HEADER,
  type MessageAccepted,
  type MessageView,
  type SendMessageRequest,
} from '../shared/schemas';
import type { RouteAction } from './api-handler';
import { sendDeps } from './domain-deps';
import type { MESSAGE_TABLES } from './function-tables';
import type { SendingPorts } from './ports';

type MessagePorts = SendingPorts<(typeof MESSAGE_TABLES)[number]>;

/** Visible ASCII, as RFC 9110 field values allow, and long enough for a UUID or a client's own scheme. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** Idempotency records live as long as the retention schedule says (24 hours). */
const IDEMPOTENCY_SECONDS = expiresAt('idempotencyRecords', new Date(0));

interface IdempotentSendInput {
  readonly tenantId: string;
  readonly key: string;
  readonly message: SendMessageRequest;
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
  const send = makeIdempotent(
    async (input: IdempotentSendInput): Promise<MessageAccepted> => {
      const { messageId, status } = await sendMessage(deps, input.tenantId, input.message);
      return { messageId, status };
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
      const key = request.headers[IDEMPOTENCY_KEY_HEADER];
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
        throw new InvalidInputError([
          {
            field: 'Idempotency-Key',
            message: 'header is required: 1-255 visible ASCII characters, such as a UUID',
          },
        ]);
      }
      try {
        const accepted = await send({
          tenantId: request.caller.tenantId,
          key,
          message: request.body as SendMessageRequest,
        });
        return { statusCode: 202, body: accepted };
      } catch (error) {
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

/** Powertools wraps errors thrown inside the idempotent function; the domain's own errors must come through. */
function unwrap(error: unknown): unknown {
  return error instanceof Error && error.name === 'IdempotencyPersistenceLayerError' && error.cause
    ? error.cause
    : error;
}
