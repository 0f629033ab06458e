import { byText, list, str } from '../report/cfn';
import type { CellReport } from '../report/model';
import type { CellStacks } from '../report/sections/cells';

/** AWS services by CloudFormation namespace (`AWS::DynamoDB::…`) and IAM action prefix (`dynamodb:…`). */
const SERVICE_NAMES: Readonly<Record<string, string>> = {
  ApiGateway: 'Amazon API Gateway',
  apigateway: 'Amazon API Gateway',
  CloudWatch: 'Amazon CloudWatch',
  cloudwatch: 'Amazon CloudWatch',
  Cognito: 'Amazon Cognito',
  DynamoDB: 'Amazon DynamoDB',
  dynamodb: 'Amazon DynamoDB',
  Events: 'Amazon EventBridge',
  events: 'Amazon EventBridge',
  IAM: 'AWS Identity and Access Management',
  iam: 'AWS Identity and Access Management',
  KMS: 'AWS Key Management Service',
  kms: 'AWS Key Management Service',
  Lambda: 'AWS Lambda',
  lambda: 'AWS Lambda',
  Logs: 'Amazon CloudWatch Logs',
  logs: 'Amazon CloudWatch Logs',
  mobiletargeting: 'Amazon Pinpoint (SMS API)',
  S3: 'Amazon S3',
  s3: 'Amazon S3',
  Scheduler: 'Amazon EventBridge Scheduler',
  scheduler: 'Amazon EventBridge Scheduler',
  SMSVOICE: 'AWS End User Messaging SMS',
  'sms-voice': 'AWS End User Messaging SMS',
  SNS: 'Amazon SNS',
  sns: 'Amazon SNS',
  SQS: 'Amazon SQS',
  sqs: 'Amazon SQS',
  WAFv2: 'AWS WAF',
  xray: 'AWS X-Ray',
};

/**
 * IAM is a global service (https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html): its roles and
 * policies hold no personal data, so it is no exception to the cell's residency.
 */
const GLOBAL_SERVICES = new Set(['AWS Identity and Access Management']);

export interface SubProcessor {
  readonly service: string;
  readonly region: string;
  /** What in the templates shows the service is used: resource types and granted actions. */
  readonly evidence: readonly string[];
}

/**
 * The AWS services a cell uses, derived from its templates: the resource types it creates (`AWS::<Service>::…`)
 * and the actions its functions are granted (`<service>:…`), which also covers services called without a
 * resource of their own (SNS SMS, Pinpoint). An unknown namespace is listed under its own name, so no service
 * escapes the record. CloudFormation's own (`AWS::CDK::Metadata`) and custom resources (run by Lambda) are not
 * services of their own.
 */
export function subProcessors(cell: CellStacks, report: CellReport, region: string): SubProcessor[] {
  const evidence = new Map<string, Set<string>>();
  const add = (namespace: string, what: string) => {
    const service = SERVICE_NAMES[namespace] ?? namespace;
    evidence.set(service, (evidence.get(service) ?? new Set()).add(what));
  };
  for (const stack of cell.stacks) {
    for (const resource of Object.values(stack.template.Resources)) {
      const [, namespace] = /^AWS::(\w+)::/.exec(resource.Type) ?? [];
      if (namespace !== undefined && namespace !== 'CDK') add(namespace, resource.Type);
    }
  }
  for (const fn of report.functions) {
    for (const grant of fn.grants.filter((g) => g.effect === 'Allow')) {
      for (const action of grant.actions.flatMap((a) => list(a)).map(str)) {
        const prefix = action?.split(':')[0];
        if (prefix !== undefined) add(prefix, `granted ${prefix}:… actions`);
      }
    }
  }
  return [...evidence.entries()]
    .map(([service, what]) => ({
      service,
      region: GLOBAL_SERVICES.has(service) ? 'global (no personal data)' : region,
      evidence: [...what].sort(byText),
    }))
    .sort((a, b) => byText(a.service, b.service));
}
