/**
 * Continuing a scheduled job in a new invocation (issue 7: a backlog of many days must finish within Lambda
 * limits). A job that runs out of time returns `done: false`; its entry point then puts one message on the job's
 * continuation queue, whose event source mapping invokes the same function again, which carries on from the
 * job's own stored progress (the purge watermark). The message holds only a hop count.
 *
 * Why a queue and not the function invoking itself: granting a function `lambda:InvokeFunction` on its own ARN
 * makes its policy depend on the function, which already depends on its policy (a CloudFormation cycle); a queue
 * has no such cycle, its redrive policy keeps a failing continuation, and its delivery delay lets the running
 * invocation end before the next one starts. The event source ignores reserved concurrency, so the job reserves
 * a slot for each continuation the queue may run and one for its scheduled run (`ScheduledJob.addContinuationQueue`),
 * and must tolerate runs that overlap: the purge's claims, deletes and watermark moves are all conditional.
 */
import type { Context } from 'aws-lambda';
import type { JobSummary } from './job';

/** The continuation queue's URL, set by the stack on jobs that can continue. */
export const JOB_CONTINUATION_QUEUE_ENV = 'JOB_CONTINUATION_QUEUE_URL';

/** Continuations in one chain before it stops and leaves the rest to the next scheduled run. */
export const MAX_CONTINUATIONS = 96;

/** Seconds a continuation waits in the queue, so the invocation that sent it has ended. */
export const CONTINUATION_DELAY_SECONDS = 30;

export interface ContinuationQueue {
  /** Asks for one more invocation of the job, as hop number `hop` of the chain. */
  enqueue(hop: number): Promise<void>;
}

/** The hop number of an invocation: that of its continuation message, or 0 when scheduled. */
export function hopOf(event: unknown): number {
  const records = (event as { Records?: Array<{ body?: unknown }> } | null)?.Records;
  if (!Array.isArray(records) || records.length === 0) return 0;
  try {
    const hop = (JSON.parse(String(records[0]?.body)) as { continuation?: unknown }).continuation;
    return Number.isInteger(hop) && (hop as number) > 0 ? (hop as number) : 0;
  } catch {
    return 0;
  }
}

export interface ContinuingJobOptions {
  /** Runs the job once (the framework's `lambdaJobHandler`). */
  readonly run: (event: unknown, context: Context) => Promise<JobSummary>;
  readonly queue: ContinuationQueue;
  readonly logger: { warn(message: string, extra: Record<string, unknown>): void };
  /** @default MAX_CONTINUATIONS */
  readonly maxContinuations?: number;
}

/**
 * The entry point of a job that may continue: scheduled, or invoked by its continuation queue. A job that failed
 * throws as before (Lambda retries the scheduled invocation; the queue redelivers a continuation).
 */
export function continuingJobHandler(
  options: ContinuingJobOptions,
): (event: unknown, context: Context) => Promise<JobSummary> {
  const max = options.maxContinuations ?? MAX_CONTINUATIONS;
  return async (event, context) => {
    const hop = hopOf(event);
    const summary = await options.run(event, context);
    if (summary.done !== false) return summary;
    if (hop >= max) {
      options.logger.warn('Job continuation chain ended; the next scheduled run carries on', { hop });
      return summary;
    }
    await options.queue.enqueue(hop + 1);
    return summary;
  };
}
