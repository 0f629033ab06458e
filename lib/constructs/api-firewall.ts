import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PROBLEM_CATALOG, PROBLEM_TYPE_PREFIX } from '../../lambdas/shared/problem';
import { EncryptedLogGroup } from './encrypted-log-group';

export interface ApiFirewallProps {
  /** The API Gateway stage to protect. */
  readonly stage: Stage;
  /** Name of the web ACL; the log group is `aws-waf-logs-<name>`. */
  readonly name: string;
  /** Requests one client IP may make in a 5-minute window before it is blocked. */
  readonly perIpLimit: number;
  /** Key that encrypts the WAF log group. */
  readonly logsKey: IKey;
}

/** The AWS managed rule groups every optline API runs, in evaluation order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

const RATE_LIMITED_BODY_KEY = 'too-many-requests';
/** The per-IP rate rule's window: a client over the limit waits it out. */
const RATE_WINDOW_SECONDS = 300;

/** The body of the per-IP rate limit's 429: the API's too-many-requests problem (DESIGN §5). */
function rateLimitedProblem(perIpLimit: number): string {
  const { status, title } = PROBLEM_CATALOG['too-many-requests'];
  return JSON.stringify({
    type: `${PROBLEM_TYPE_PREFIX}too-many-requests`,
    title,
    status,
    detail: `This client address made more than ${perIpLimit} requests in 5 minutes; retry after ${RATE_WINDOW_SECONDS} seconds.`,
    errors: [],
    retryAfterSeconds: RATE_WINDOW_SECONDS,
  });
}

/**
 * A regional WAFv2 web ACL in front of an API Gateway stage: a per-IP rate limit, then the AWS common and
 * known-bad-inputs rule groups. Its logs go to an encrypted log group with the request path, query string
 * and Authorization header redacted, because paths carry phone numbers and the header carries tokens.
 */
export class ApiFirewall extends Construct {
  public readonly webAcl: CfnWebACL;
  public readonly logGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);

    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      // Sampled requests keep full paths and headers for three hours, outside the redacting log pipeline.
      sampledRequestsEnabled: false,
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: `optline API firewall ${props.name}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        [RATE_LIMITED_BODY_KEY]: {
          contentType: 'APPLICATION_JSON',
          content: rateLimitedProblem(props.perIpLimit),
        },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          // 429 with the too-many-requests problem and Retry-After, as API Gateway's own throttling answers, not
          // WAF's default 403: a client backs off on 429. WAF lets a custom response set any header but
          // content-type, so the media type is application/json, not problem+json.
          // https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: RATE_LIMITED_BODY_KEY,
                responseHeaders: [{ name: 'Retry-After', value: String(RATE_WINDOW_SECONDS) }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: props.perIpLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility(`${props.name}-rate-limit-per-ip`),
        },
        ...MANAGED_RULE_GROUPS.map((name, index) => ({
          name,
          priority: index + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(`${props.name}-${name}`),
        })),
      ],
    });

    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      // WAF delivers only to log groups whose name starts with aws-waf-logs-.
      logGroupName: `aws-waf-logs-${props.name}`,
      encryptionKey: props.logsKey,
    });
    new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` suffix that the log group's Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ uriPath: {} }, { queryString: {} }, { singleHeader: { Name: 'authorization' } }],
    });
  }
}
