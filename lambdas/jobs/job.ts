/**
 * A scheduled job: one function of the clock. EventBridge Scheduler runs it in the cell, and the local server
 * runs the same function at any clock through `POST /_local/jobs/<name>`.
 */

export interface JobRun {
  /** The job's clock: the real time when scheduled, any instant when run locally. */
  readonly now: Date;
  /** Milliseconds left in this invocation; a job with a backlog stops early and continues next time. */
  readonly remainingMs: () => number;
}

/** What a run did, in counts and flags only: it is logged, returned locally and never holds personal data. */
export type JobSummary = Readonly<Record<string, number | string | boolean>>;

export type Job = (run: JobRun) => Promise<JobSummary>;
