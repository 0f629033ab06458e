/**
 * The current invocation's context, kept at module scope so adapters built once at cold start (SMS retries,
 * idempotency) can ask how much of this invocation's time budget is left.
 */
import type { Context } from 'aws-lambda';
import { logger } from '../shared/powertools';

let current: Context | undefined;

/** Call first thing in every handler. */
export function beginInvocation(context: Context): void {
  current = context;
  logger.addContext(context);
}

/** Milliseconds left before the function times out; unbounded outside Lambda. */
export const remainingMs = (): number => current?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
