import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  type MethodDeploymentOptions,
  type CfnStage,
  type Model,
  type RequestValidator,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal, type CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnConfigurationSet, CfnOptOutList } from 'aws-cdk-lib/aws-smsvoice';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  CAMPAIGN_API_ACCESS,
  CAMPAIGN_WORKER_ACCESS,
  DELIVERY_STATUS_ACCESS,
  DSR_API_ACCESS,
  DSR_WORKER_ACCESS,
  INBOUND_ACCESS,
  INCIDENT_ACCESS,
  MESSAGE_ACCESS,
  OPTOUT_ACCESS,
  STATS_ACCESS,
  SUBSCRIBER_ACCESS,
  TTL_BACKSTOP_ACCESS,
  type FunctionTables,
} from '../../lambdas/api/function-tables';
import { ROLE_SCOPES } from '../../lambdas/api/roles';
import {
  API_FUNCTIONS,
  OPERATOR_SCOPES,
  queryParameters,
  ROUTES,
  RESOURCE_SERVER_ID,
  type ApiFunction,
  type RouteSpec,
  type Scope,
} from '../../lambdas/api/routes';
import type { InboundNumber } from '../../lambdas/domain/origination-identities';
import type { ConfiguredTenant } from '../../lambdas/domain/tenants';
import { DSR_OVERDUE_METRIC } from '../../lambdas/jobs/dsr-deadlines';
import { INCIDENT_AT_RISK_METRIC } from '../../lambdas/jobs/incident-deadlines';
import { JOB_NAMES, JOBS, jobConstructId, type JobName, type JobSpec } from '../../lambdas/jobs/registry';
import {
  CELL_TENANTS_ENV,
  INBOUND_NUMBERS_ENV,
  REGIME_ENV,
  TENANT_PROFILES_ENV,
  type TableAccess,
  type TableId,
} from '../../lambdas/shared/env';
import type * as z from '../../lambdas/shared/zod';
import { DEFAULT_API_LIMITS, DEFAULT_SMS_MPS, sendRatesOf, type CellConfig } from '../config';
import { acknowledgeFindings } from '../constructs/acknowledge';
import { ApiFirewall } from '../constructs/api-firewall';
import { CampaignDispatch } from '../constructs/campaign-dispatch';
import { useCellRetention } from '../constructs/cell-retention';
import { ConsoleSignIn } from '../constructs/console-sign-in';
import { EncryptedLogGroup } from '../constructs/encrypted-log-group';
import { MachineUserPool } from '../constructs/machine-user-pool';
import type { OriginationIdentities } from '../constructs/origination-identities';
import { METRICS_NAMESPACE, PlatformFunction } from '../constructs/platform-function';
import { PrivacyConsole, consoleUrlOf } from '../constructs/privacy-console';
import { addProblemGatewayResponses } from '../constructs/problem-responses';
import { QueueWorker } from '../constructs/queue-worker';
import { requestModelSchema } from '../constructs/request-model';
import { RetentionJobs } from '../constructs/retention-jobs';
import { ScheduledJob } from '../constructs/scheduled-job';
import { TopicQueueConsumer } from '../constructs/topic-queue-consumer';
import { TtlBackstop } from '../constructs/ttl-backstop';

/** The stage every cell's API is deployed to; resource paths carry the version (`/v1/…`). */
export const STAGE_NAME = 'prod';

/** What each API function may use, taken from the route modules' own table lists rather than restated. */
export const API_FUNCTION_RESOURCES: Readonly<
  Record<
    ApiFunction,
    {
      readonly tables: FunctionTables;
      readonly subjectIdKey: boolean;
      /**
       * How the function sends SMS, every send after a slot on its identity's schedule: `reserved` also gets
       * reserved concurrency where the cell asks for it (`reserveConcurrency`); `paced` never does (occasional
       * confirmations). @default - it sends none
       */
      readonly sendsSms?: 'reserved' | 'paced';
      /**
       * How it keeps the provider opt-out lists in step: `add` when it only ever records opt-outs, `mirror` when
       * it records opt-ins too. @default - it records neither
       */
      readonly providerOptOuts?: 'add' | 'mirror';
    }
  >
> = {
  subscribers: {
    tables: SUBSCRIBER_ACCESS,
    subjectIdKey: true,
    sendsSms: 'paced',
    providerOptOuts: 'mirror',
  },
  messages: {
    tables: MESSAGE_ACCESS,
    subjectIdKey: true,
    sendsSms: 'reserved',
  },
  optouts: {
    tables: OPTOUT_ACCESS,
    subjectIdKey: true,
    providerOptOuts: 'add',
  },
  dsr: {
    tables: DSR_API_ACCESS,
    subjectIdKey: true,
  },
  // Campaigns name their audience by topic and their recipients by subject id: no phone number, no key.
  campaigns: {
    tables: CAMPAIGN_API_ACCESS,
    subjectIdKey: false,
  },
  // Counts only: no phone number, no key.
  stats: {
    tables: STATS_ACCESS,
    subjectIdKey: false,
  },
  // Incidents and notifications hold counts and the operator's texts: no phone number, no key.
  incidents: {
    tables: INCIDENT_ACCESS,
    subjectIdKey: false,
  },
};

/** The scopes the console's staff may hold: those of every role; each user's role narrows them (callers.ts). */
const STAFF_SCOPES: readonly Scope[] = [...new Set(Object.values(ROLE_SCOPES).flat())];

/** What a token's scope lets its holder do; shown to whoever manages app clients. */
const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  'subscribers.write': 'Create, read and change subscribers',
  'messages.send': 'Send messages and read their status',
  'optouts.write': 'Record and read opt-outs',
  'dsr.manage': 'Open and follow data-subject requests',
  'subscribers.read': 'Read subscribers, their consent timeline, messages and opt-outs',
  'dsr.read': 'Read data-subject requests',
  'messages.read': 'Read messages and campaigns',
  'stats.read': 'Read the anonymised daily activity counts',
  'incidents.manage': 'Operator only: record personal data breaches and follow their notifications',
};

/**
 * Access-log line: ids, status and timings only. No path (it carries phone numbers), no query string, no
 * headers and no body; `resourcePath` is the route template (`/v1/subscribers/{phone}`).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  clientId: '$context.authorizer.claims.client_id',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  errorType: '$context.error.responseType',
  wafStatus: '$context.waf.status',
};

export interface ApiStackProps extends StackProps {
  readonly cell: CellConfig;
  /** The cell's tables (from the Data stack), by id; each function is bound to the ones it needs. */
  readonly tables: Readonly<Record<TableId, ITableV2>>;
  /** The cell's HMAC_256 key for pseudonymous subject ids. */
  readonly subjectIdKey: IKey;
  /** Key for every log group of the stack; its policy must admit this region's CloudWatch Logs. */
  readonly logsKey: IKey;
  /** Encrypts the stack's queues and its alarm topic; its policy admits CloudWatch, Scheduler and SNS. */
  readonly queueKey: IKey;
  /** End User Messaging delivery events, consumed to update message status. */
  readonly deliveryEventsTopic: ITopic;
  /** Two-way SMS from End User Messaging: opt-outs, HELP and START. */
  readonly inboundSmsTopic: ITopic;
  /** The DSR export bucket (SSE-KMS with the cell key, files expire after 7 days). */
  readonly exportBucket: IBucket;
  /** The cell's End User Messaging opt-out list, kept in step with optline's opt-outs. */
  readonly optOutList: CfnOptOutList;
  /** The cell's origination identities: tenants' channels and inbound numbers follow from them. */
  readonly identities: OriginationIdentities;
  /** The configuration set tenants send with; functions may send through it. */
  readonly configurationSet: CfnConfigurationSet;
  /** Each tenant's breach-notification topic (Data stack), by tenant id. */
  readonly incidentTopics: ReadonlyMap<string, ITopic>;
}

const pascal = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The stateless half of a cell: the REST API with its Cognito machine-to-machine authorizer, WAF, request
 * models and problem+json gateway responses, and the Lambda functions behind it. The resources and methods
 * come from the route table in `lambdas/api/routes.ts`, the same one the handlers and the local server use.
 */
export class ApiStack extends Stack {
  public readonly api: RestApi;
  public readonly auth: MachineUserPool;
  /** The privacy console's public app client and the staff groups (`<tenant>.<role>`). */
  public readonly consoleSignIn: ConsoleSignIn;
  /** The privacy console: its function, and its anonymous methods on the API. */
  public readonly console: PrivacyConsole;
  public readonly functions: Readonly<Record<ApiFunction, PlatformFunction>>;
  public readonly firewall: ApiFirewall;
  /** Every alarm of the cell notifies here; subscribe the on-call channel to it. */
  public readonly alarmTopic: Topic;
  /** Delivery events → queue → status updates in MessageLog. */
  public readonly deliveryStatus: TopicQueueConsumer;
  /** Inbound SMS → queue → keyword processing (opt-out, HELP, START) and replies. */
  public readonly inboundSms: TopicQueueConsumer;
  /** DSR request ids → queue → export, erasure, rectification, restriction and objection. */
  public readonly dsrWorker: QueueWorker;
  /** The campaign queue and worker, and what starts a campaign at its sendAt (DESIGN §10). */
  public readonly campaigns: CampaignDispatch;
  /** Fires when the daily `dsr-deadlines` job counts an overdue data-subject request. */
  public readonly dsrOverdueAlarm: Alarm;
  /** Fires when a breach notification is still unsent 12 hours before its 72-hour deadline (DESIGN §12). */
  public readonly incidentNotificationAlarm: Alarm;
  /** The cell's scheduled jobs, one per entry of `lambdas/jobs/registry.ts`. */
  public readonly jobs: Readonly<Record<JobName, ScheduledJob>>;
  /** Subscribers stream, TTL deletes only → the purge's cascade and audit (DESIGN §4 Purge). */
  public readonly ttlBackstop: TtlBackstop;
  /** The purge's continuation queue and the retention sweep's overdue alarm. */
  public readonly retentionJobs: RetentionJobs;

  /** `TENANT_PROFILES` of every function that reads tenants: JSON of the tenants' configured settings. */
  private readonly tenantProfiles: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { cell } = props;
    useCellRetention(this, cell.retentionOverrides);
    const limits = cell.apiLimits ?? DEFAULT_API_LIMITS;
    this.tenantProfiles = this.toJsonString(configuredTenants(cell, props.identities));

    this.auth = new MachineUserPool(this, 'Auth', {
      name: `optline-${cell.name}`,
      // Cognito domain prefixes are unique per region across AWS; the account id makes this one so.
      domainPrefix: `optline-${cell.name}-${this.account}`,
      resourceServerId: RESOURCE_SERVER_ID,
      scopes: SCOPE_DESCRIPTIONS,
      tenants: cell.tenants,
      // The privacy console's staff sign in through managed login (Essentials plan: README, Privacy console).
      managedLogin: true,
      operatorScopes: OPERATOR_SCOPES,
    });

    this.functions = Object.fromEntries(
      API_FUNCTIONS.map((fn) => [fn, this.apiFunction(fn, props)]),
    ) as Record<ApiFunction, PlatformFunction>;

    const accessLogs = new EncryptedLogGroup(this, 'AccessLogs', { encryptionKey: props.logsKey });
    this.api = new RestApi(this, 'Api', {
      restApiName: `optline-${cell.name}`,
      description: `optline ${cell.name} cell (${cell.regime}) HTTP API`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Execution and access logging need the account's API Gateway CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: limits.rateLimit,
        throttlingBurstLimit: limits.burstLimit,
        // Errors only; data tracing would log request and response bodies, with phone numbers in them.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        methodOptions: sendThrottle(cell),
      },
    });
    // API Gateway would create the execution log group itself, unencrypted and kept forever.
    const executionLogs = new EncryptedLogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      encryptionKey: props.logsKey,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    this.addRoutes();
    addProblemGatewayResponses(this.api);

    // The privacy console: served by the API itself, signed in to through the cell's Cognito (DESIGN §11).
    const consoleUrl = consoleUrlOf(this.api, STAGE_NAME);
    this.consoleSignIn = new ConsoleSignIn(this, 'ConsoleSignIn', {
      userPool: this.auth.userPool,
      domain: this.auth.domain,
      // A dot cannot be in a tenant id, so no tenant's client (`<name>-<tenant>`) can have this name.
      clientName: `optline-${cell.name}.console`,
      scopes: STAFF_SCOPES.map((scope) => this.auth.oauthScopes[scope]!),
      consoleUrl,
      tenants: cell.tenants,
    });
    for (const func of Object.values(this.functions)) {
      func.bindTenantClients(this.auth.clients, this.consoleSignIn.client);
    }
    this.console = new PrivacyConsole(this, 'Console', {
      api: this.api,
      stageName: STAGE_NAME,
      signIn: this.consoleSignIn,
      tokenEndpoint: this.auth.tokenUrl(),
      logsKey: props.logsKey,
    });
    acknowledgeLambdaFindings(this.console.function, {
      environment:
        "the console's sign-in config (the public app client id, the Cognito endpoint URLs and the scopes)",
      answers: 'an HTTP status with a short text',
      reaches: 'X-Ray and CloudWatch Logs',
    });

    this.firewall = new ApiFirewall(this, 'Firewall', {
      stage: this.api.deploymentStage,
      name: `optline-${cell.name}-api`,
      perIpLimit: limits.perIpLimit,
      logsKey: props.logsKey,
    });

    this.acknowledgeApiFindings();

    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: props.queueKey, enforceSSL: true });
    // CloudWatch publishes alarm actions only where the topic policy admits it; the cell key admits it too (Data
    // stack). Both are held to this account's alarms.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    this.deliveryStatus = new TopicQueueConsumer(this, 'DeliveryStatus', {
      topic: props.deliveryEventsTopic,
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      handler: 'delivery-status',
      serviceName: 'optline-delivery-status',
      alarmTopic: this.alarmTopic,
    });
    bindTables(this.deliveryStatus.function, DELIVERY_STATUS_ACCESS, props.tables, this.tenantProfiles);

    this.inboundSms = new TopicQueueConsumer(this, 'InboundSms', {
      topic: props.inboundSmsTopic,
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      handler: 'inbound-sms',
      serviceName: 'optline-inbound-sms',
      alarmTopic: this.alarmTopic,
      // Keyword order rests on when SNS accepted each message, which only the envelope keeps across a redrive.
      snsEnvelope: true,
    });
    const inbound = this.inboundSms.function;
    bindTables(inbound, INBOUND_ACCESS, props.tables, this.tenantProfiles);
    inbound.bindSubjectIdKey(props.subjectIdKey);
    // Replies share the origination identities with the messages function: they are paced the same way.
    this.bindCellSmsSending(inbound, props);
    inbound.addEnvironment(INBOUND_NUMBERS_ENV, this.toJsonString(inboundNumbers(cell, props.identities)));
    inbound.bindProviderOptOutList(props.optOutList, 'mirror');

    this.jobs = Object.fromEntries(JOB_NAMES.map((name) => [name, this.scheduledJob(name, props)])) as Record<
      JobName,
      ScheduledJob
    >;
    const reconcile = this.jobs['optout-reconcile'].function;
    reconcile.bindProviderOptOutList(props.optOutList, 'reconcile');
    reconcile.addEnvironment(CELL_TENANTS_ENV, JSON.stringify(cell.tenants));

    // Data-subject requests: the dsr routes store a request, then queue its id for the worker.
    this.dsrWorker = new QueueWorker(this, 'DsrWorker', {
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      handler: 'dsr-worker',
      serviceName: 'optline-dsr-worker',
      alarmTopic: this.alarmTopic,
    });
    // The worker reads and changes the subject's data by its keys; it never sees a phone number, so it gets no
    // subject-id key.
    bindTables(this.dsrWorker.function, DSR_WORKER_ACCESS, props.tables, this.tenantProfiles);
    this.dsrWorker.function.bindExportBucket(props.exportBucket, 'write');
    // An objection is an opt-out, added to the provider list like any other; the worker never lifts one.
    this.dsrWorker.function.bindProviderOptOutList(props.optOutList, 'add');
    const dsr = this.functions.dsr;
    dsr.bindWorkQueue(this.dsrWorker.queue);
    dsr.bindExportBucket(props.exportBucket, 'presign');
    dsr.addEnvironment(REGIME_ENV, cell.regime);
    // The daily deadline job re-queues requests whose enqueue was lost, and its overdue count raises an alarm.
    const deadlines = this.jobs['dsr-deadlines'];
    deadlines.function.bindWorkQueue(this.dsrWorker.queue);
    this.dsrOverdueAlarm = new Alarm(this, 'DsrOverdueAlarm', {
      alarmDescription:
        'Data-subject requests are past their deadline (GDPR Art. 12(3): one month, extended at most to two; ' +
        'CCPA §1798.130: 45 days, plus 45): answer or extend them now',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: DSR_OVERDUE_METRIC,
        // Powertools tags every metric with the function's service name.
        dimensionsMap: { service: 'optline-dsr-deadlines' },
        statistic: Stats.MAXIMUM,
        period: Duration.days(1),
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // A job that did not run raises its own dead-letter alarm.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.dsrOverdueAlarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.dsrOverdueAlarm.addOkAction(new SnsAction(this.alarmTopic));

    // Breach notifications: the incidents routes record and deliver them; the hourly job retries the unsent and
    // raises the alarm for any still unsent 12 hours before its deadline.
    const incidents = this.functions.incidents;
    incidents.bindIncidentTopics(props.incidentTopics);
    incidents.addEnvironment(CELL_TENANTS_ENV, JSON.stringify(cell.tenants));
    this.jobs['incident-deadlines'].function.bindIncidentTopics(props.incidentTopics);
    this.incidentNotificationAlarm = new Alarm(this, 'IncidentNotificationAlarm', {
      alarmDescription:
        'A personal data breach notification is still unsent 12 hours or less before its 72-hour deadline ' +
        '(GDPR Art. 33(2); MASS policy): deliver it to the tenant now',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: INCIDENT_AT_RISK_METRIC,
        dimensionsMap: { service: 'optline-incident-deadlines' },
        statistic: Stats.MAXIMUM,
        period: Duration.hours(1),
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // A job that did not run raises its own dead-letter alarm.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.incidentNotificationAlarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.incidentNotificationAlarm.addOkAction(new SnsAction(this.alarmTopic));

    // Campaigns: the routes store one and start it; the worker fans the audience out and dispatches, sending
    // through the same channels and pacing as the messages function.
    this.campaigns = new CampaignDispatch(this, 'Campaigns', {
      cellName: cell.name,
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      alarmTopic: this.alarmTopic,
    });
    this.campaigns.bindStarter(this.functions.campaigns);
    const campaignWorker = this.campaigns.worker.function;
    bindTables(campaignWorker, CAMPAIGN_WORKER_ACCESS, props.tables, this.tenantProfiles);
    campaignWorker.bindSubjectIdKey(props.subjectIdKey);
    this.bindCellSmsSending(campaignWorker, props);

    this.ttlBackstop = new TtlBackstop(this, 'TtlBackstop', {
      table: props.tables.Subscribers,
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      alarmTopic: this.alarmTopic,
      handler: 'ttl-backstop',
      serviceName: 'optline-ttl-backstop',
    });
    bindTables(this.ttlBackstop.function, TTL_BACKSTOP_ACCESS, props.tables, this.tenantProfiles);
    this.retentionJobs = new RetentionJobs(this, 'RetentionJobs', {
      purge: this.jobs['purge-inactive'],
      sweep: this.jobs['retention-sweep'],
      tenants: cell.tenants,
      queueKey: props.queueKey,
      alarmTopic: this.alarmTopic,
    });

    // RestApi already outputs the stage URL (ApiEndpoint…).
    new CfnOutput(this, 'TokenUrl', {
      value: this.auth.tokenUrl(),
      description: 'OAuth 2.0 token endpoint (client credentials) for tenant app clients',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'ConsoleUrl', {
      value: consoleUrl,
      description: 'The privacy console; staff sign in through Cognito managed login',
    });
    if (this.auth.operatorClient) {
      new CfnOutput(this, 'OperatorClientId', {
        value: this.auth.operatorClient.userPoolClientId,
        description: 'App client of the platform operator (incidents.manage only); its secret is in Cognito',
      });
    }
  }

  /**
   * Lets a function send SMS through the cell's own resources, each send after a slot on its identity's shared
   * schedule (lambdas/domain/send-rate.ts); the function's tables must include the Idempotency table's UpdateItem.
   */
  private bindCellSmsSending(func: PlatformFunction, props: ApiStackProps): void {
    func.bindSmsSending(sendRatesOf(props.cell), props.cell.name, this.ownSmsResources(props));
  }

  /** The End User Messaging resources the Data stack made for the cell: what its functions send through. */
  private ownSmsResources(props: ApiStackProps): string[] {
    const { identities } = props;
    return [
      props.configurationSet.attrArn,
      ...identities.phoneNumbers.map((number) => number.attrArn),
      ...identities.senderIds.map((senderId) => senderId.attrArn),
      ...identities.pools.map((pool) => pool.attrArn),
    ];
  }

  private scheduledJob(name: JobName, props: ApiStackProps): ScheduledJob {
    const spec: JobSpec = JOBS[name];
    const job = new ScheduledJob(this, `${jobConstructId(name)}Job`, {
      name,
      spec,
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      alarmTopic: this.alarmTopic,
      reserveConcurrency: props.cell.reserveConcurrency ?? false,
    });
    bindTables(job.function, spec.tables, props.tables, this.tenantProfiles);
    if (spec.subjectIdKey) job.function.bindSubjectIdKey(props.subjectIdKey);
    return job;
  }

  private apiFunction(fn: ApiFunction, props: ApiStackProps): PlatformFunction {
    const resources = API_FUNCTION_RESOURCES[fn];
    const func = new PlatformFunction(this, `${pascal(fn)}Function`, {
      handler: fn,
      serviceName: `optline-${fn}`,
      description: `optline ${props.cell.name}: ${ROUTES.filter((r) => r.fn === fn).length} ${fn} API routes`,
      logsKey: props.logsKey,
      reservedConcurrentExecutions:
        resources.sendsSms === 'reserved' && props.cell.reserveConcurrency
          ? sendingConcurrency(props.cell)
          : undefined,
    });
    bindTables(func, resources.tables, props.tables, this.tenantProfiles);
    if (resources.subjectIdKey) func.bindSubjectIdKey(props.subjectIdKey);
    if (resources.sendsSms) this.bindCellSmsSending(func, props);
    if (resources.providerOptOuts) func.bindProviderOptOutList(props.optOutList, resources.providerOptOuts);
    // Every function knows the operator's client, so the operator is refused tenant routes as the operator (403).
    if (this.auth.operatorClient) func.bindOperatorClient(this.auth.operatorClient);
    acknowledgeLambdaFindings(func);
    return func;
  }

  private addRoutes(): void {
    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      authorizerName: 'cognito-client-credentials',
      cognitoUserPools: [this.auth.userPool],
    });
    const validator: RequestValidator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integrations = Object.fromEntries(
      Object.entries(this.functions).map(([fn, func]) => [
        fn,
        // The function finds the route from the event itself; test invocations get no permission.
        new LambdaIntegration(func, { proxy: true, allowTestInvoke: false }),
      ]),
    ) as Record<ApiFunction, LambdaIntegration>;

    for (const route of ROUTES) {
      const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
      this.api.root.resourceForPath(route.path).addMethod(route.method, integrations[route.fn], {
        operationName: route.operationId,
        authorizer,
        authorizationType: AuthorizationType.COGNITO,
        // Any one of them admits: "The method invocation is authorized if any method scopes matches a claimed
        // scope in the access token" (authorizationScopes, https://docs.aws.amazon.com/apigateway/latest/api/API_Method.html).
        authorizationScopes: route.scopes.map((scope) => this.auth.oauthScopes[scope]!.scopeName),
        requestValidator: validator,
        // Required path parameters, query parameters and headers: the parameter validator refuses a request
        // without one, as the OpenAPI document declares them required. The handler checks every query parameter.
        requestParameters: Object.fromEntries([
          ...pathParameters.map((name) => [`method.request.path.${name}`, true]),
          ...queryParameters(route).map(({ name, required }) => [
            `method.request.querystring.${name}`,
            required,
          ]),
          ...(route.headers ?? []).map((name) => [`method.request.header.${name}`, true]),
        ]),
        requestModels: route.body ? { 'application/json': this.requestModel(route, route.body) } : undefined,
      });
    }
  }

  private requestModel(route: RouteSpec, body: z.ZodMiniType): Model {
    const name = `${pascal(route.operationId)}Request`;
    return this.api.addModel(`${name}Model`, {
      modelName: name,
      contentType: 'application/json',
      description: `Body of ${route.method} ${route.path}`,
      schema: requestModelSchema(body),
    });
  }

  private acknowledgeApiFindings(): void {
    const stage = this.api.deploymentStage.node.defaultChild as CfnStage;
    acknowledgeFindings(
      stage,
      'No response cache: every response is tenant-scoped personal data (phone numbers, consent state) and ' +
        'must reflect an opt-out or erasure at once; a cache would keep copies outside the tables and their TTLs.',
      {
        nag: ['NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'HIPAA.Security-APIGWCacheEnabledAndEncrypted'],
        checkov: ['CKV_AWS_120'],
      },
    );
    acknowledgeFindings(
      stage,
      'Every integration but one is a Lambda proxy integration, which API Gateway invokes through the Lambda ' +
        'API with IAM (resource policy scoped to each method). The one HTTP integration proxies the privacy ' +
        "console's code exchange to the Cognito domain's public token endpoint over HTTPS, which authenticates " +
        'each request itself (client id, code and PKCE verifier) and does not check client certificates.',
      { nag: ['NIST.800.53.R5-APIGWSSLEnabled', 'HIPAA.Security-APIGWSSLEnabled'] },
    );
    const cloudWatchRole = this.api.node.findChild('CloudWatchRole').node.defaultChild as CfnRole;
    // Only API Gateway acting for this account may assume the role (the global confused-deputy condition; API
    // Gateway's logging guide shows the trust without it).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
    cloudWatchRole.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
      StringEquals: { 'aws:SourceAccount': this.account },
    });
    acknowledgeFindings(
      cloudWatchRole,
      'API Gateway account-level CloudWatch role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS ' +
        'documents for it; API Gateway creates execution log groups named after each API and stage, so the ' +
        'role cannot be scoped to resources known at synth time.',
      {
        nag: [
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        ],
      },
    );
  }
}

/** The send route: the one route whose every accepted request becomes an SMS through the cell's identities. */
const SEND_ROUTE = ROUTES.find((route) => route.operationId === 'sendMessage')!;

/**
 * Reserved concurrency of the messages function where the cell asks for it: R = min(⌊smsMps⌋, 10), at least 1.
 * The send schedules hold the rate whatever R is; R bounds how many requests wait for a slot at once.
 */
const sendingConcurrency = (cell: CellConfig): number =>
  Math.max(1, Math.min(Math.floor(cell.smsMps ?? DEFAULT_SMS_MPS), 10));

/**
 * Method throttling of the send route, matched to what the cell can send: API Gateway admits at most the sum of
 * its schedules' MPS in requests a second there (a token bucket of one, so a second never holds more than one
 * request above the rate) and answers the rest 429 itself, before Lambda. The schedules of each identity
 * (lambdas/domain/send-rate.ts) then hold each identity to its own MPS. A method setting replaces the stage's for
 * that method, so logging and metrics are restated.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
function sendThrottle(cell: CellConfig): Record<string, MethodDeploymentOptions> {
  const cellRate = Object.values(sendRatesOf(cell)).reduce((sum, mps) => sum + mps, 0);
  return {
    [`${SEND_ROUTE.path}/${SEND_ROUTE.method}`]: {
      throttlingRateLimit: cellRate,
      throttlingBurstLimit: 1,
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: true,
    },
  };
}

/**
 * Binds each listed table with its access. A function that reads the Tenants table also gets the tenants' settings
 * from the cell configuration, which take precedence over the stored ones.
 */
function bindTables(
  func: PlatformFunction,
  access: FunctionTables,
  tables: Readonly<Record<TableId, ITableV2>>,
  tenantProfiles: string,
): void {
  for (const [tableId, level] of Object.entries(access) as Array<[TableId, TableAccess]>) {
    func.bindTable(tables[tableId], tableId, level);
    if (tableId === 'Tenants') func.addEnvironment(TENANT_PROFILES_ENV, tenantProfiles);
  }
}

/** The cell's inbound numbers: those of its two-way identities, then those listed by hand in the config. */
function inboundNumbers(cell: CellConfig, identities: OriginationIdentities): InboundNumber[] {
  return [
    ...identities.inboundNumbers,
    ...Object.entries(cell.inboundNumbers ?? {}).map(([number, entry]) =>
      typeof entry === 'string' ? { number, tenant: entry } : { number, ...entry },
    ),
  ];
}

/** Each tenant's settings from the cell config: its profile, and the channel of its identities. */
function configuredTenants(
  cell: CellConfig,
  identities: OriginationIdentities,
): Record<string, ConfiguredTenant> {
  return Object.fromEntries(
    Object.entries(cell.tenantProfiles ?? {}).map(([tenant, profile]) => {
      const channel = identities.channels.get(tenant);
      return [tenant, { ...profile, ...(channel ? { channel } : {}) }];
    }),
  );
}

/** What the acknowledgements of an API-invoked function say about it. */
interface ApiFunctionFacts {
  /** What its environment variables hold. */
  readonly environment: string;
  /** What a caller receives when it fails. */
  readonly answers: string;
  /** The AWS services it calls. */
  readonly reaches: string;
}

const ROUTE_FUNCTION_FACTS: ApiFunctionFacts = {
  environment:
    'table names, a key ARN, the opt-out list name, the send rates and Cognito app client ids (and, for dsr, ' +
    'a queue URL, a bucket name and the regime)',
  answers: 'a problem+json response',
  reaches: 'DynamoDB, KMS, X-Ray and the SMS providers',
};

/** Findings every synchronous, API-invoked function has, acknowledged on its CfnFunction. */
function acknowledgeLambdaFindings(
  func: PlatformFunction,
  facts: ApiFunctionFacts = ROUTE_FUNCTION_FACTS,
): void {
  const { environment } = facts;
  const cfn = func.node.defaultChild as CfnFunction;
  acknowledgeFindings(
    cfn,
    `Invoked synchronously by API Gateway: the caller receives every failure as ${facts.answers} and ` +
      'retries, so there is no asynchronous event a dead-letter queue could keep.',
    { nag: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'], checkov: ['CKV_AWS_116'] },
  );
  acknowledgeFindings(
    cfn,
    `Not in a VPC: the function reaches only AWS service APIs (${facts.reaches}), ` +
      'over TLS with IAM authorization, and no private network resource; a VPC would add NAT or endpoints ' +
      'without narrowing access.',
    { nag: ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC'], checkov: ['CKV_AWS_117'] },
  );
  // A function with reserved concurrency satisfies the rule; the others are bounded upstream.
  if (func.reservedConcurrency === undefined) {
    acknowledgeFindings(
      cfn,
      'Concurrency is bounded upstream by stage throttling and the per-IP WAF rate rule; reserving concurrency ' +
        'would take it from the account pool and fails on accounts with a low concurrency quota.',
      {
        nag: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
        checkov: ['CKV_AWS_115'],
      },
    );
  }
  acknowledgeFindings(
    cfn,
    `The environment holds ${environment}, none of them secret, and Lambda encrypts it at rest by default; a ` +
      'customer-managed key would protect nothing confidential.',
    { checkov: ['CKV_AWS_173'] },
  );
}
