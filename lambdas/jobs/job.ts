/**
 * PLACEHOLDER until the scheduled-job framework lands on main (the lead's lambdas/jobs/job.ts replaces it
 * on merge): the shape announced for it.
 */
export interface JobRun {
  readonly now: Date;
  remainingMs(): number;
}

export type JobSummary = Readonly<Record<string, number | string | boolean>>;

export type Job = (run: JobRun) => Promise<JobSummary>;
