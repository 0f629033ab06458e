import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  Effect,
  Grant,
  PolicyStatement,
  Role,
  ServicePrincipal,
  type CfnPolicy,
  type IRole,
  type Policy,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnOptOutList } from 'aws-cdk-lib/aws-smsvoice';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SendRates } from '../../lambdas/domain/send-rate';
import {
  CAMPAIGN_QUEUE_ARN_ENV,
  CAMPAIGN_QUEUE_URL_ENV,
  CAMPAIGN_SCHEDULE_GROUP_ENV,
  CAMPAIGN_SCHEDULER_ROLE_ENV,
  CONSOLE_CLIENT_ID_ENV,
  DSR_QUEUE_URL_ENV,
  EXPORT_BUCKET_ENV,
  INCIDENT_TOPICS_ENV,
  OPERATOR_CLIENT_ENV,
  OPT_OUT_LIST_ENV,
  SEND_RATES_ENV,
  SUBJECT_ID_KEY_ENV,
  tableEnvVar,
  TENANT_CLIENTS_ENV,
  writesOf,
  WRITES_A_TABLE_ALLOWS,
  type TableAccess,
  type TableId,
} from '../../lambdas/shared/env';
import { acknowledgeFindings, nagText, wildcardFindings } from './acknowledge';
import { retentionEnvironment } from './cell-retention';
import { EncryptedLogGroup } from './encrypted-log-group';
import { HANDLER_BUNDLING, HANDLERS_DIR } from './handler-bundling';

/** Data-plane reads by key and key condition (no Scan), as every table binding grants them. */
const TABLE_READS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
/**
 * What a data-plane caller needs of a table's customer-managed key, reads and writes alike: DynamoDB decrypts the
 * table key on the caller's behalf (kms:Decrypt, cached for five minutes) and encrypts items with it, so the
 * data-key operations are DynamoDB's own, made under the grant it holds since the table was created. Only
 * through DynamoDB in this region (kms:ViaService): the function cannot use the key directly.
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
 */
const TABLE_KEY_USE = ['kms:Decrypt', 'kms:DescribeKey'];

/**
 * The tag that makes an End User Messaging resource (phone number, pool, sender id, configuration set) one of the
 * cell's: only those may be sent through. Its value is the cell name.
 */
export const CELL_TAG_KEY = 'optline:cell';

/** The End User Messaging resource types a SendTextMessage call may use. */
const SMS_VOICE_SEND_RESOURCES = ['phone-number', 'pool', 'sender-id', 'configuration-set'] as const;

/** The key prefix of DSR export files in the export bucket (`lambdas/domain/dsr-processing.ts`). */
export const EXPORT_PREFIX = 'dsr/';

/** The CloudWatch metrics namespace every optline function publishes to. */
export const METRICS_NAMESPACE = 'Optline';

export interface PlatformFunctionProps {
  /** File name, without `.ts`, of the entry point under `lambdas/handlers/`; it exports `handler`. */
  readonly handler: string;
  /** Powertools service name: it tags every log line, trace and metric of the function. */
  readonly serviceName: string;
  /** Key that encrypts the function's log group; its policy must admit this region's CloudWatch Logs. */
  readonly logsKey: IKey;
  /**
   * @default - "<serviceName> (lambdas/handlers/<handler>.ts)"
   */
  readonly description?: string;
  /**
   * Memory size in MB. More memory also means more CPU, which shortens cold starts.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10), well under API Gateway's 29-second integration timeout
   */
  readonly timeout?: Duration;
  /**
   * Concurrency reserved for (and capping) the function.
   * @default - none: the function shares the account pool
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Where asynchronous invocations go once Lambda's retries are spent.
   * @default - none: synchronous and queue-driven functions report failures to their caller or queue
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * Shell commands run around esbuild when the function is bundled, such as building and copying files that
   * the handler reads from beside itself. They run locally, like esbuild, never in Docker.
   * @default - none: the bundle holds the handler's code only
   */
  readonly commandHooks?: ICommandHooks;
}

/** A wildcard a grant is known to create, with what created it and why a reviewer can accept it. */
interface ExpectedWildcard {
  /** The IAM5 finding without its rule prefix; computed once cross-stack references are resolved. */
  readonly finding: () => string;
  /** The grant that created it, such as "reads and PutItem, UpdateItem on the Subscribers table". */
  readonly source: string;
  readonly reason: string;
}

const XRAY_REASON =
  'xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so AWS ' +
  'requires Resource "*" for them; no other action in the policy has it.';

/**
 * The one Lambda function construct of optline (after Powertools' `FunctionWithLogGroup`). It holds every
 * function default:
 * - Node.js 22 on arm64, with X-Ray active tracing;
 * - bundled by the local esbuild (never Docker): minified, AWS SDK included, source maps on, ES module builds
 *   preferred for tree-shaking (`handler-bundling.ts`);
 * - its own log group: KMS-encrypted, kept for the service-log period of the retention module;
 * - its own role, which can write only to that log group (no AWS managed policy);
 * - the Powertools service name and metrics namespace.
 *
 * Resources are wired with the `bind*` helpers. Each one sets the environment variable the handler reads
 * (`lambdas/shared/env.ts`) and makes the matching least-privilege grant together.
 */
export class PlatformFunction extends NodejsFunction {
  public readonly executionRole: Role;
  /** Reserved concurrency, when the function has its own share of the account pool. */
  public get reservedConcurrency(): number | undefined {
    return (this.node.defaultChild as CfnFunction).reservedConcurrentExecutions;
  }
  /** Actions that may have Resource "*": AWS offers no resource-level permission for them. */
  private readonly anyResourceActions = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
  private readonly expectedWildcards: ExpectedWildcard[] = [
    // Only while known actions are the sole users of Resource "*"; any other statement with it fails synth.
    {
      finding: () => (this.onlyKnownActionsOnAnyResource() ? 'Resource::*' : ''),
      source: 'Tracing.ACTIVE',
      reason: XRAY_REASON,
    },
  ];

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    // Both exist before super() runs, so they are siblings of the function, named after it.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the optline ${props.serviceName} function`,
    });
    const logGroup = new EncryptedLogGroup(scope, `${id}LogGroup`, { encryptionKey: props.logsKey });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: join(HANDLERS_DIR, `${props.handler}.ts`),
      handler: 'handler',
      description: props.description ?? `${props.serviceName} (lambdas/handlers/${props.handler}.ts)`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: props.deadLetterQueue,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: HANDLER_BUNDLING.nodeOptions,
        // The TTLs the function writes follow the cell's retention overrides.
        ...retentionEnvironment(scope),
      },
      bundling: {
        minify: HANDLER_BUNDLING.minify,
        sourceMap: HANDLER_BUNDLING.sourceMap,
        sourcesContent: HANDLER_BUNDLING.sourcesContent,
        bundleAwsSDK: true,
        forceDockerBundling: false,
        target: HANDLER_BUNDLING.target,
        format: OutputFormat.CJS,
        mainFields: [...HANDLER_BUNDLING.mainFields],
        externalModules: [...HANDLER_BUNDLING.externalModules],
        commandHooks: props.commandHooks,
      },
    });
    this.executionRole = role;

    acknowledgeFindings(
      this.node.defaultChild as CfnFunction,
      'Node.js 22 is the runtime the platform pins (DESIGN §7) and compiles for; it is in AWS standard support. ' +
        'Moving to Node.js 24 is a deliberate upgrade of every function together, not a per-function default.',
      { nag: ['AwsSolutions-L1'] },
    );
    acknowledgeFindings(
      this.node.defaultChild as CfnFunction,
      'CDK makes every function depend on its role construct, so the inline policy exists before the function ' +
        'can run; the role itself is also referenced by GetAtt, which makes that half of DependsOn redundant ' +
        'but harmless.',
      { cfnLint: ['W3005'] },
    );
    // logGroup.grantWrite created the role's inline policy; every later grant adds to the same one.
    const policy = this.inlinePolicy();
    acknowledgeFindings(
      policy,
      'This inline policy belongs to one function role and holds only the statements generated by grant*() ' +
        'calls for that function; it is created and deleted with the role and never shared, so a managed ' +
        'policy would add an attachable artefact without narrowing any permission.',
      { nag: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'] },
    );
    // Finding ids name cross-stack imports, which exist only once references are resolved. CDK runs construct
    // validations after that and before the nag packs, so the known wildcards are acknowledged there; any
    // other wildcard stays unacknowledged and fails synth.
    this.node.addValidation({
      validate: () => {
        this.acknowledgeGrantWildcards();
        return [];
      },
    });
  }

  /**
   * Changes the concurrency reserved for the function, for a construct that adds an invoker after it was created
   * (such as an event source, which does not respect reserved concurrency).
   */
  public reserveConcurrency(count: number): void {
    (this.node.defaultChild as CfnFunction).reservedConcurrentExecutions = count;
  }

  /**
   * Gives the handler a table: sets `TABLE_<ID>` to its name, grants data-plane reads of the table and its
   * indexes, exactly the writes `access` lists, and the use of its KMS key through DynamoDB (TABLE_KEY_USE);
   * `dynamodb:Scan` is denied on both. Fails synth when `access` lists a write the table does not allow (WRITES_A_TABLE_ALLOWS).
   */
  public bindTable(table: ITableV2, id: TableId, access: TableAccess): void {
    const writes = writesOf(access);
    const allowed = WRITES_A_TABLE_ALLOWS[id];
    const refused = allowed === undefined ? [] : writes.filter((write) => !allowed.includes(write));
    if (refused.length > 0) {
      throw new Error(`The ${id} table allows only ${allowed!.join(', ')}, not ${refused.join(', ')}`);
    }
    this.addEnvironment(tableEnvVar(id), table.tableName);
    // One statement for the table and its indexes, one for its key.
    table.grant(this, ...TABLE_READS, ...writes.map((write) => `dynamodb:${write}`));
    if (table.encryptionKey) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: TABLE_KEY_USE,
          resources: [table.encryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
    // Reads are by key or key condition only (DESIGN §4): Scan is never granted, and denied outright so that no
    // other grant can bring it back.
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['dynamodb:Scan'],
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );
    const stack = Stack.of(this);
    const source = `reads${writes.length > 0 ? ` and ${writes.join(', ')}` : ''} on the ${id} table`;
    this.expectedWildcards.push({
      finding: () => `Resource::${nagText(stack.resolve(`${table.tableArn}/index/*`))}`,
      source,
      reason: 'The wildcard covers the indexes of that one table only.',
    });
  }

  /** Gives the handler the cell's HMAC key: sets `SUBJECT_ID_KEY_ID` and grants `kms:GenerateMac` only. */
  public bindSubjectIdKey(key: IKey): void {
    this.addEnvironment(SUBJECT_ID_KEY_ENV, key.keyArn);
    key.grant(this, 'kms:GenerateMac');
  }

  /**
   * Tells the handler which tenant each Cognito app client belongs to: `TENANT_CLIENTS` is a JSON object
   * mapping client id to tenant id; and which client is the privacy console's (`CONSOLE_CLIENT_ID`), whose
   * tokens name tenant and role through the user's group. Client ids are not secrets, so no grant goes with them.
   */
  /** Lets the handler tell the platform operator's app client from tenants' (DESIGN §12). */
  public bindOperatorClient(client: IUserPoolClient): void {
    this.addEnvironment(OPERATOR_CLIENT_ENV, client.userPoolClientId);
  }

  /**
   * Lets the handler publish breach notifications to each tenant's topic (`grantPublish`: publish, and the
   * data-key operations of the topics' key), and acknowledges the wildcard action name that grant carries.
   */
  public bindIncidentTopics(topicsByTenant: ReadonlyMap<string, ITopic>): void {
    for (const topic of topicsByTenant.values()) topic.grantPublish(this);
    this.expectedWildcards.push({
      finding: () => 'Action::kms:GenerateDataKey*',
      source: 'grantPublish on the tenants’ breach-notification topics',
      reason:
        "kms:GenerateDataKey* names the data-key operations SNS performs with the topics' customer-managed key on " +
        "the publisher's behalf; the statement is limited to that key, which encrypts those topics only.",
    });
    this.addEnvironment(
      INCIDENT_TOPICS_ENV,
      Stack.of(this).toJsonString(
        Object.fromEntries([...topicsByTenant].map(([t, topic]) => [t, topic.topicArn])),
      ),
    );
  }

  public bindTenantClients(
    clientsByTenant: ReadonlyMap<string, IUserPoolClient>,
    consoleClient: IUserPoolClient,
  ): void {
    const tenantByClientId = Object.fromEntries(
      [...clientsByTenant].map(([tenantId, client]) => [client.userPoolClientId, tenantId]),
    );
    this.addEnvironment(TENANT_CLIENTS_ENV, Stack.of(this).toJsonString(tenantByClientId));
    this.addEnvironment(CONSOLE_CLIENT_ID_ENV, consoleClient.userPoolClientId);
  }

  /**
   * Lets the handler send SMS through every channel a tenant may be configured for:
   * - SNS `Publish` to phone numbers only, in this region: topics are denied, since a direct SMS publish has no
   *   resource ARN;
   * - End User Messaging `SendTextMessage` through the cell's own origination identities and configuration set
   *   only: by ARN those the Data stack creates (`ownSmsResources`), and those carrying the cell tag
   *   (`CELL_TAG_KEY`), which is how a number registered by hand joins the cell;
   * - Pinpoint `SendMessages` to this account's existing projects (optline creates none; a project's identities
   *   are the project's own).
   */
  public bindSmsSending(sendRates: SendRates, cellName: string, ownSmsResources: readonly string[]): void {
    // Each send first takes a slot on its identity's schedule, in the Idempotency table: the caller binds that
    // table's UpdateItem with the function's tables (lambdas/api/function-tables.ts).
    this.addEnvironment(SEND_RATES_ENV, Stack.of(this).toJsonString(sendRates));
    const { account, region, partition } = Stack.of(this);
    this.anyResourceActions.add('sns:Publish');
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'], conditions: this.inThisRegion() }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [`arn:${partition}:sns:*:*:*`],
      }),
    );
    // SendTextMessage authorizes each resource it uses (identity, configuration set). The cell's own are named by
    // ARN; the tag admits those registered by hand. End User Messaging supports tag conditions only partly, so the
    // path the Data stack builds does not rest on them.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsendusermessagingsmsandvoicev2.html
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/security_iam_service-with-iam.html
    const smsVoice = SMS_VOICE_SEND_RESOURCES.map(
      (type) => `arn:${partition}:sms-voice:${region}:${account}:${type}/*`,
    );
    const pinpoint = `arn:${partition}:mobiletargeting:${region}:${account}:apps/*/messages`;
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: [...ownSmsResources] }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['sms-voice:SendTextMessage'],
        resources: smsVoice,
        conditions: { StringEquals: { [`aws:ResourceTag/${CELL_TAG_KEY}`]: cellName } },
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['mobiletargeting:SendMessages'], resources: [pinpoint] }),
    );
    acknowledgeFindings(
      this.inlinePolicy(),
      'SNS Publish to a phone number has no resource ARN, so it cannot be constrained by resource; the policy ' +
        'denies Publish to every topic, so the grant allows direct SMS only.',
      { checkov: ['CKV_AWS_111'] },
    );
    const stack = Stack.of(this);
    this.expectedWildcards.push(
      {
        finding: () => (this.onlyKnownActionsOnAnyResource() ? 'Resource::*' : ''),
        source: 'bindSmsSending (SNS direct SMS)',
        reason:
          'SNS Publish to a phone number has no resource ARN, so it needs Resource "*"; a Deny statement removes ' +
          'every topic from it, and an aws:RequestedRegion condition every other region.',
      },
      ...smsVoice.map((arn) => ({
        finding: () => `Resource::${nagText(stack.resolve(arn))}`,
        source: 'bindSmsSending (End User Messaging)',
        reason:
          `Origination identities and configuration sets are named by End User Messaging when created; the ` +
          `statement admits only those tagged ${CELL_TAG_KEY} with this cell's name, in this account and region.`,
      })),
      {
        finding: () => `Resource::${nagText(stack.resolve(pinpoint))}`,
        source: 'bindSmsSending (Pinpoint)',
        reason:
          'Which existing Pinpoint project a tenant sends through is runtime data in the Tenants table; the grant ' +
          'is limited to this account and region.',
      },
    );
  }

  /**
   * Gives the handler the DSR export bucket: sets `EXPORT_BUCKET`, and grants on the `dsr/` prefix only
   * - `presign`: `s3:GetObject` and `kms:Decrypt`, which a presigned GET URL needs from the role that signs it;
   * - `write`: `s3:PutObject` and `s3:DeleteObject`, with `kms:GenerateDataKey` and `kms:Decrypt` for SSE-KMS.
   * No listing: export files are found by the keys stored with their requests.
   */
  public bindExportBucket(bucket: IBucket, access: 'presign' | 'write'): void {
    if (!bucket.encryptionKey) throw new Error('The export bucket must be encrypted with a KMS key');
    this.addEnvironment(EXPORT_BUCKET_ENV, bucket.bucketName);
    const objects = bucket.arnForObjects(`${EXPORT_PREFIX}*`);
    Grant.addToPrincipal({
      grantee: this,
      actions: access === 'presign' ? ['s3:GetObject'] : ['s3:PutObject', 's3:DeleteObject'],
      resourceArns: [objects],
    });
    bucket.encryptionKey.grant(
      this,
      ...(access === 'presign' ? ['kms:Decrypt'] : ['kms:GenerateDataKey', 'kms:Decrypt']),
    );
    const stack = Stack.of(this);
    this.expectedWildcards.push({
      finding: () => `Resource::${nagText(stack.resolve(objects))}`,
      source: `bindExportBucket (${access})`,
      reason:
        'Export files are named per request (dsr/<tenant>/<requestId>.json); the wildcard covers the dsr/ prefix ' +
        'of that one bucket only.',
    });
  }

  /**
   * Lets the campaign routes start a campaign (DESIGN §10): its first page on the campaign queue now, or a
   * one-time schedule, named `campaign-<campaignId>`, in the cell's campaign schedule group, which Scheduler runs
   * as `schedulerRole`. Sets the queue's URL and ARN, the role's ARN and the group's name; grants sending to the
   * queue, CreateSchedule on that name prefix in that group, and passing that one role to Scheduler only.
   */
  public bindCampaignStarter(queue: IQueue, scheduleGroupName: string, schedulerRole: IRole): void {
    this.addEnvironment(CAMPAIGN_QUEUE_URL_ENV, queue.queueUrl);
    this.addEnvironment(CAMPAIGN_QUEUE_ARN_ENV, queue.queueArn);
    this.addEnvironment(CAMPAIGN_SCHEDULER_ROLE_ENV, schedulerRole.roleArn);
    this.addEnvironment(CAMPAIGN_SCHEDULE_GROUP_ENV, scheduleGroupName);
    this.grantSendTo(queue, 'the campaign queue');
    const stack = Stack.of(this);
    const schedules = `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/${scheduleGroupName}/campaign-*`;
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['scheduler:CreateSchedule'],
        resources: [schedules],
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    this.expectedWildcards.push({
      finding: () => `Resource::${nagText(stack.resolve(schedules))}`,
      source: 'bindCampaignStarter',
      reason:
        'Schedules are named per campaign (campaign-<campaignId>); the wildcard covers that prefix in the ' +
        "cell's campaign schedule group only.",
    });
  }

  /**
   * Lets the handler put work on a queue of optline's own: sets `DSR_QUEUE_URL` and grants `grantSendMessages`
   * (send, plus the KMS data-key operations of the queue's key).
   */
  public bindWorkQueue(queue: IQueue): void {
    this.addEnvironment(DSR_QUEUE_URL_ENV, queue.queueUrl);
    this.grantSendTo(queue, 'the DSR queue');
  }

  /**
   * Lets the function send to an encrypted queue (`grantSendMessages`: send, and the data-key operations of the
   * queue's key), and acknowledges the wildcard action names that grant carries.
   * @param name how the queue is named in the acknowledgement, such as "the DSR queue"
   */
  public grantSendTo(queue: IQueue, name: string): void {
    queue.grantSendMessages(this);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      this.expectedWildcards.push({
        finding: () => `Action::${action}`,
        source: `grantSendMessages on ${name}`,
        reason:
          `${action} names the data-key operations SQS performs with the queue's customer-managed key on the ` +
          "sender's behalf; the statement is limited to that key.",
      });
    }
  }

  /**
   * Lets the handler keep the provider opt-out lists in step with optline's opt-outs: sets `OPT_OUT_LIST_NAME` and
   * grants, by access level:
   * - `add`: adding a number to the cell's End User Messaging list, and nothing else (functions that only ever
   *   record opt-outs, so none of them can lift one);
   * - `mirror`: adding and removing numbers there, and on SNS in this region, whose SMS opt-out calls have no
   *   resource ARN, checking and opting a number back in (an opt-in lifts an opt-out at the provider too);
   * - `reconcile`: `mirror`, plus reading both lists.
   */
  public bindProviderOptOutList(list: CfnOptOutList, access: 'add' | 'mirror' | 'reconcile'): void {
    this.addEnvironment(OPT_OUT_LIST_ENV, list.optOutListName!);
    const listActions = ['sms-voice:PutOptedOutNumber'];
    const snsActions: string[] = [];
    if (access !== 'add') {
      listActions.push('sms-voice:DeleteOptedOutNumber');
      snsActions.push('sns:CheckIfPhoneNumberIsOptedOut', 'sns:OptInPhoneNumber');
    }
    if (access === 'reconcile') {
      listActions.push('sms-voice:DescribeOptedOutNumbers');
      snsActions.push('sns:ListPhoneNumbersOptedOut');
    }
    this.addToRolePolicy(new PolicyStatement({ actions: listActions, resources: [list.attrArn] }));
    if (snsActions.length === 0) return;
    for (const action of snsActions) this.anyResourceActions.add(action);
    this.addToRolePolicy(
      new PolicyStatement({ actions: snsActions, resources: ['*'], conditions: this.inThisRegion() }),
    );
    this.expectedWildcards.push({
      finding: () => (this.onlyKnownActionsOnAnyResource() ? 'Resource::*' : ''),
      source: 'bindProviderOptOutList (SNS SMS opt-out list)',
      reason:
        "SNS's SMS opt-out actions (CheckIfPhoneNumberIsOptedOut, OptInPhoneNumber, ListPhoneNumbersOptedOut) " +
        'act on the account-wide SMS opt-out list and have no resource ARN, so AWS requires Resource "*"; an ' +
        'aws:RequestedRegion condition keeps them to this region.',
    });
    acknowledgeFindings(
      this.inlinePolicy(),
      "SNS's SMS opt-out actions act on the account-wide SMS opt-out list and support no resource-level " +
        'permission; OptInPhoneNumber is what lets a subscriber who opted back in receive SMS again.',
      { checkov: ['CKV_AWS_111'] },
    );
  }

  /**
   * The condition for a statement on Resource "*": the resource cannot pin the region, and a client configured for
   * another one would take phone numbers and message bodies out of the cell.
   */
  private inThisRegion(): Record<string, Record<string, string>> {
    return { StringEquals: { 'aws:RequestedRegion': Stack.of(this).region } };
  }

  private inlinePolicy(): CfnPolicy {
    return (this.executionRole.node.findChild('DefaultPolicy') as Policy).node.defaultChild as CfnPolicy;
  }

  private policyStatements(): Array<{ Effect?: string; Action?: unknown; Resource?: unknown }> {
    const policy = this.inlinePolicy();
    return (Stack.of(policy).resolve(policy.policyDocument) as { Statement?: [] }).Statement ?? [];
  }

  private onlyKnownActionsOnAnyResource(): boolean {
    const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
    return this.policyStatements()
      .filter((statement) => statement.Effect !== 'Deny' && list(statement.Resource).includes('*'))
      .every((statement) =>
        list(statement.Action).every((a) => typeof a === 'string' && this.anyResourceActions.has(a)),
      );
  }

  private acknowledgeGrantWildcards(): void {
    const policy = this.inlinePolicy();
    const present = wildcardFindings({ Statement: this.policyStatements() });
    const byFinding = new Map<string, { sources: string[]; reason: string }>();
    for (const expected of this.expectedWildcards) {
      const finding = expected.finding();
      if (!present.has(finding)) continue;
      const entry = byFinding.get(finding) ?? { sources: [], reason: '' };
      entry.sources.push(expected.source);
      if (!entry.reason.includes(expected.reason)) entry.reason = `${entry.reason} ${expected.reason}`.trim();
      byFinding.set(finding, entry);
    }
    for (const [finding, { sources, reason }] of byFinding) {
      acknowledgeFindings(policy, `Generated by ${sources.join('; ')}. ${reason}`, {
        nag: [`AwsSolutions-IAM5[${finding}]`],
      });
    }
  }
}
