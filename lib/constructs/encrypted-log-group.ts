import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { retentionDays } from '../../lambdas/domain/retention';
import { cellRetentionPeriods } from './cell-retention';

/**
 * The retention period of service logs (Lambda, API Gateway, WAF) in the cell `scope` belongs to, from the
 * retention module (`serviceLogs`: 90 days) or the cell's override. Fails when the period is not one CloudWatch
 * Logs offers.
 */
export function serviceLogRetention(scope: IConstruct): RetentionDays {
  const days = retentionDays('serviceLogs', cellRetentionPeriods(scope));
  const offered = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number',
  );
  const retention = offered.find((value) => value === days);
  if (retention === undefined) {
    throw new RangeError(
      `CloudWatch Logs has no ${days}-day retention; change serviceLogs in the retention module or the cell's override`,
    );
  }
  return retention;
}

export interface EncryptedLogGroupProps {
  /** Customer-managed key whose policy lets this region's CloudWatch Logs use it (the Data stack's logs key). */
  readonly encryptionKey: IKey;
  /**
   * Physical name. Set it only where a service dictates the name (`aws-waf-logs-…`,
   * `API-Gateway-Execution-Logs_…`) or a runbook needs it.
   * @default - a generated name
   */
  readonly logGroupName?: string;
}

/**
 * A log group with optline's defaults: encrypted with a customer-managed key, kept for the service-log
 * retention period of the retention module, and retained when its stack is deleted so that period still runs
 * (a named one except when its first create is rolled back, so the deploy can be retried).
 */
export class EncryptedLogGroup extends LogGroup {
  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id, {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: serviceLogRetention(scope),
      // A named log group left behind by a failed first create would make every retry fail with "already
      // exists"; RetainExceptOnCreate deletes it on that rollback only.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
      removalPolicy: props.logGroupName ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.RETAIN,
    });
  }
}
