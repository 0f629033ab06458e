/** The one shape of a scheduled-job entry point: EventBridge Scheduler invokes it with the real clock. */
import type { Context } from 'aws-lambda';
import type { Job, JobSummary } from '../jobs/job';
import type { JobName } from '../jobs/registry';
import { logger } from '../shared/powertools';
import { beginInvocation, remainingMs } from './invocation';

export function lambdaJobHandler(
  name: JobName,
  job: Job,
): (event: unknown, context: Context) => Promise<JobSummary> {
  return async (_event, context) => {
    beginInvocation(context);
    // A failure throws: Lambda retries the asynchronous invocation, then moves it to the job's dead-letter queue.
    const summary = await job({ now: new Date(), remainingMs });
    logger.info('Job finished', { job: name, ...summary });
    return summary;
  };
}
