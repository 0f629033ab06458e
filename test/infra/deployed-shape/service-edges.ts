import { ArnForms } from './arn-forms';
import { targetKey } from './encryption-keys';
import { PoliciesOf } from './policies-of';
import type { PlacedStatement, Request } from './policy-evaluation';
import type { Json, ResourceHandle, TemplateSet } from './template-set';

/**
 * Every edge where one AWS service delivers into a resource of the app, found from the templates' wiring
 * (alarm actions, subscriptions, destinations, schedules, logging and key settings), never from logical ids.
 * Each edge becomes the admissions it needs: the target's resource policy and its key policy for a service
 * principal, or the role's trust and identity policies (and the key's policy) where the service acts through
 * a role.
 */

/** The kinds of edge the check finds; every report line starts with one of them. */
export const EDGES = {
  alarmToTopic: 'CloudWatch alarm → SNS',
  topicToQueue: 'SNS → SQS',
  smsEventsToTopic: 'End User Messaging event destination → SNS',
  smsTwoWayToTopic: 'End User Messaging two-way → SNS',
  scheduleToFunction: 'EventBridge Scheduler → Lambda',
  scheduleToDeadLetters: 'EventBridge Scheduler → dead-letter queue',
  functionToDeadLetters: 'Lambda → dead-letter queue',
  functionToDestination: 'Lambda → asynchronous invocation destination',
  eventSourceToDestination: 'Lambda event source → on-failure destination',
  accessLogsToBucket: 'S3 server access logs → bucket',
  logsToKey: 'CloudWatch Logs → KMS',
} as const;

/** One policy that must admit one caller for an edge to work once deployed. */
export interface Admission {
  readonly edge: string;
  /** The resource whose delivery needs the admission, for the report. */
  readonly source: string;
  /** The policy in question, e.g. "the topic policy of Optline-eu-Api/AlarmTopic". */
  readonly subject: string;
  /** For identity policies: the resource the role must be allowed to act on. */
  readonly on?: string;
  readonly statements: readonly PlacedStatement[];
  readonly request: Request;
  /** The condition keys (lower-case) that narrow a service principal to its source; absent for IAM callers. */
  readonly narrowBy?: readonly string[];
  /** A same-account role is let in by its own policies; a resource policy can then only break the edge by a Deny. */
  readonly denialsOnly?: boolean;
}

export interface ServiceEdges {
  readonly admissions: Admission[];
  /** Edges found but not understood, as report lines: the check must not go silently blind. */
  readonly unreadable: string[];
}

/** The global condition keys AWS documents against the confused deputy for service principals. */
const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn'];
/** What CloudWatch Logs puts in its KMS requests: the log group ARN as encryption context. */
const LOGS_CONTEXT_KEY = 'kms:encryptioncontext:aws:logs:arn';
/**
 * What a producer needs from the key of an encrypted SNS topic or SQS queue.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
const PRODUCER_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];
/**
 * The operations CloudWatch Logs runs on a log group's key (the key policy of the documentation grants
 * Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey* and Describe*).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
const LOGS_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
];
/** An object key S3 might write server access logs to, after the configured prefix. */
const SAMPLE_LOG_OBJECT = '2026-01-01-00-00-00-0123456789ABCDEF';
/** SNS protocols that deliver outside the app (people, HTTP endpoints, devices): no resource to admit them. */
const EXTERNAL_PROTOCOLS = new Set(['email', 'email-json', 'http', 'https', 'sms', 'application']);

const asList = (value: Json): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const propsOf = (handle: ResourceHandle): Record<string, Json> => handle.resource.Properties ?? {};
const field = (value: Json, name: string): Json =>
  typeof value === 'object' && value !== null ? (value as Record<string, Json>)[name] : undefined;

export function findServiceEdges(templates: TemplateSet): ServiceEdges {
  return new EdgeFinder(templates).find();
}

class EdgeFinder {
  private readonly arns: ArnForms;
  private readonly policies: PoliciesOf;
  private readonly admissions: Admission[] = [];
  private readonly unreadable: string[] = [];

  constructor(private readonly templates: TemplateSet) {
    this.arns = new ArnForms(templates);
    this.policies = new PoliciesOf(templates);
  }

  find(): ServiceEdges {
    this.alarmActions();
    this.snsSubscriptions();
    this.endUserMessagingDestinations();
    this.schedules();
    this.lambdaFailureDestinations();
    this.serverAccessLogs();
    this.logGroupKeys();
    return { admissions: this.admissions, unreadable: this.unreadable };
  }

  /**
   * CloudWatch alarm actions → SNS: the topic policy lets cloudwatch.amazonaws.com publish, and an encrypted
   * topic's key lets it use the key; both narrowed to the account or the alarm.
   * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
   * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   */
  private alarmActions(): void {
    const alarms = [
      ...this.templates.ofType('AWS::CloudWatch::Alarm'),
      ...this.templates.ofType('AWS::CloudWatch::CompositeAlarm'),
    ];
    for (const alarm of alarms) {
      for (const property of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
        for (const action of asList(propsOf(alarm)[property])) {
          const target = this.templates.resolve(alarm.stack, action)?.target;
          if (target?.resource.Type === 'AWS::SNS::Topic') {
            this.serviceDelivers(EDGES.alarmToTopic, alarm, 'cloudwatch.amazonaws.com', target, [
              'sns:Publish',
            ]);
          } else if (
            !/^arn:[^:]+:(automate|ssm|ssm-incidents):/.test(this.templates.render(alarm.stack, action))
          ) {
            // EC2 and Systems Manager actions act on the account, not on a resource of the app.
            this.unreadable.push(
              `${EDGES.alarmToTopic}: ${this.templates.label(alarm)} ${property} names ${this.describe(alarm, action, target)}, which the check does not model`,
            );
          }
        }
      }
    }
  }

  /**
   * SNS → SQS: the queue policy lets sns.amazonaws.com send with aws:SourceArn of the topic, and the queue's key
   * lets SNS use it.
   * https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
   */
  private snsSubscriptions(): void {
    for (const subscription of this.templates.ofType('AWS::SNS::Subscription')) {
      const props = propsOf(subscription);
      const protocol = this.templates.render(subscription.stack, props.Protocol).toLowerCase();
      if (EXTERNAL_PROTOCOLS.has(protocol)) continue;
      const topic = this.templates.resolve(subscription.stack, props.TopicArn)?.target;
      const endpoint = this.templates.resolve(subscription.stack, props.Endpoint)?.target;
      if (
        protocol === 'sqs' &&
        topic?.resource.Type === 'AWS::SNS::Topic' &&
        endpoint?.resource.Type === 'AWS::SQS::Queue'
      ) {
        this.serviceDelivers(EDGES.topicToQueue, topic, 'sns.amazonaws.com', endpoint, ['sqs:SendMessage']);
      } else {
        this.unreadable.push(
          `${EDGES.topicToQueue}: ${this.templates.label(subscription)} subscribes ${this.describe(subscription, props.Endpoint, endpoint)} with protocol ${protocol}, which the check does not model`,
        );
      }
    }
  }

  /**
   * End User Messaging → SNS, for configuration-set event destinations and two-way channels: the topic policy
   * and the topic's key admit sms-voice.amazonaws.com, narrowed by aws:SourceAccount or aws:SourceArn. With a
   * ChannelRole, End User Messaging publishes through that role instead.
   * https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html
   * https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-iam-policy-auto.html
   */
  private endUserMessagingDestinations(): void {
    for (const set of this.templates.ofType('AWS::SMSVOICE::ConfigurationSet')) {
      for (const destination of asList(propsOf(set).EventDestinations)) {
        const sns = field(destination, 'SnsDestination');
        const name = this.templates.render(set.stack, field(destination, 'EventDestinationName'));
        if (sns !== undefined) {
          const topic = this.templates.resolve(set.stack, field(sns, 'TopicArn'))?.target;
          if (topic?.resource.Type === 'AWS::SNS::Topic') {
            this.serviceDelivers(EDGES.smsEventsToTopic, set, 'sms-voice.amazonaws.com', topic, [
              'sns:Publish',
            ]);
            continue;
          }
        }
        this.unreadable.push(
          `${EDGES.smsEventsToTopic}: ${this.templates.label(set)} destination ${name} is not an SNS topic of these templates, which the check does not model`,
        );
      }
    }
    for (const identity of [
      ...this.templates.ofType('AWS::SMSVOICE::PhoneNumber'),
      ...this.templates.ofType('AWS::SMSVOICE::Pool'),
    ]) {
      const twoWay = propsOf(identity).TwoWay;
      if (twoWay === undefined || this.templates.render(identity.stack, field(twoWay, 'Enabled')) !== 'true')
        continue;
      const channel = field(twoWay, 'ChannelArn');
      const topic = this.templates.resolve(identity.stack, channel)?.target;
      const edge = EDGES.smsTwoWayToTopic;
      if (topic?.resource.Type !== 'AWS::SNS::Topic') {
        this.unreadable.push(
          `${edge}: ${this.templates.label(identity)} sends inbound messages to ${this.describe(identity, channel, topic)}, which the check does not model`,
        );
      } else if (field(twoWay, 'ChannelRole') === undefined) {
        this.serviceDelivers(edge, identity, 'sms-voice.amazonaws.com', topic, ['sns:Publish']);
      } else {
        const role = this.roleOf(edge, identity, field(twoWay, 'ChannelRole'));
        if (role) {
          this.trusts(edge, identity, role, 'sms-voice.amazonaws.com', this.arns.of(identity));
          this.roleDelivers(edge, identity, role, topic, ['sns:Publish']);
        }
      }
    }
  }

  /**
   * EventBridge Scheduler → Lambda and its dead-letter queue, through the schedule's execution role: the role
   * trusts scheduler.amazonaws.com narrowed by aws:SourceAccount or aws:SourceArn (the schedule group), may
   * invoke the function and send to the queue, and may use the queue's key.
   * https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
   * https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
   * https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
   */
  private schedules(): void {
    for (const schedule of this.templates.ofType('AWS::Scheduler::Schedule')) {
      const target = propsOf(schedule).Target;
      const edge = EDGES.scheduleToFunction;
      const role = this.roleOf(edge, schedule, field(target, 'RoleArn'));
      if (!role) continue;
      this.trusts(edge, schedule, role, 'scheduler.amazonaws.com', this.arns.scheduleGroup(schedule));
      const invoked = this.templates.resolve(schedule.stack, field(target, 'Arn'))?.target;
      if (invoked?.resource.Type === 'AWS::Lambda::Function') {
        this.roleDelivers(edge, schedule, role, invoked, ['lambda:InvokeFunction']);
      } else {
        this.unreadable.push(
          `${edge}: ${this.templates.label(schedule)} targets ${this.describe(schedule, field(target, 'Arn'), invoked)}, which the check does not model`,
        );
      }
      const deadLetter = field(field(target, 'DeadLetterConfig'), 'Arn');
      if (deadLetter !== undefined) {
        this.roleDeliversToQueueOrTopic(EDGES.scheduleToDeadLetters, schedule, role, deadLetter);
      }
    }
  }

  /**
   * Lambda → its dead-letter queue, asynchronous-invocation destinations and event-source on-failure
   * destinations: Lambda sends with the function's execution role, which must be allowed to send and to use the
   * target's key.
   * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
   */
  private lambdaFailureDestinations(): void {
    const roleOfFunction = (edge: string, fn: ResourceHandle) => this.roleOf(edge, fn, propsOf(fn).Role);
    for (const fn of this.templates.ofType('AWS::Lambda::Function')) {
      const deadLetter = field(propsOf(fn).DeadLetterConfig, 'TargetArn');
      if (deadLetter === undefined) continue;
      const edge = EDGES.functionToDeadLetters;
      const role = roleOfFunction(edge, fn);
      if (role) this.roleDeliversToQueueOrTopic(edge, fn, role, deadLetter);
    }
    const viaFunction = (handle: ResourceHandle, destinations: Json[], edge: string) => {
      const fn = this.templates.resolve(handle.stack, propsOf(handle).FunctionName)?.target;
      if (fn?.resource.Type !== 'AWS::Lambda::Function') {
        this.unreadable.push(
          `${edge}: ${this.templates.label(handle)} names a function outside these templates`,
        );
        return;
      }
      const role = roleOfFunction(edge, fn);
      for (const destination of destinations.filter((d) => d !== undefined)) {
        if (role) this.roleDeliversToQueueOrTopic(edge, handle, role, destination);
      }
    };
    for (const config of this.templates.ofType('AWS::Lambda::EventInvokeConfig')) {
      const destinations = propsOf(config).DestinationConfig;
      viaFunction(
        config,
        [
          field(field(destinations, 'OnFailure'), 'Destination'),
          field(field(destinations, 'OnSuccess'), 'Destination'),
        ],
        EDGES.functionToDestination,
      );
    }
    for (const mapping of this.templates.ofType('AWS::Lambda::EventSourceMapping')) {
      const onFailure = field(field(propsOf(mapping).DestinationConfig, 'OnFailure'), 'Destination');
      viaFunction(mapping, [onFailure], EDGES.eventSourceToDestination);
    }
  }

  /**
   * S3 server access logs → the target bucket: its policy lets logging.s3.amazonaws.com put objects under the
   * log prefix, narrowed by aws:SourceAccount or aws:SourceArn (the source bucket).
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
   */
  private serverAccessLogs(): void {
    const buckets = this.templates.ofType('AWS::S3::Bucket');
    for (const bucket of buckets) {
      const logging = propsOf(bucket).LoggingConfiguration;
      if (logging === undefined) continue;
      const destinationName = field(logging, 'DestinationBucketName');
      // Without a destination, S3 logs into the bucket itself.
      const destination =
        destinationName === undefined
          ? bucket
          : (this.templates.resolve(bucket.stack, destinationName)?.target ??
            buckets.find(
              (b) =>
                b.resource.Properties?.BucketName !== undefined &&
                this.templates.render(b.stack, b.resource.Properties.BucketName) ===
                  this.templates.render(bucket.stack, destinationName),
            ));
      if (destination?.resource.Type !== 'AWS::S3::Bucket') {
        this.unreadable.push(
          `${EDGES.accessLogsToBucket}: ${this.templates.label(bucket)} logs to a bucket outside these templates`,
        );
        continue;
      }
      const prefix = this.templates.render(bucket.stack, field(logging, 'LogFilePrefix') ?? '');
      const objects = this.arns.of(destination).map((arn) => `${arn}/${prefix}${SAMPLE_LOG_OBJECT}`);
      this.serviceDelivers(
        EDGES.accessLogsToBucket,
        bucket,
        'logging.s3.amazonaws.com',
        destination,
        ['s3:PutObject'],
        ['kms:GenerateDataKey'],
        objects,
      );
    }
  }

  /**
   * CloudWatch Logs → KMS: a log group's key lets logs.<region>.amazonaws.com use it, narrowed by
   * kms:EncryptionContext:aws:logs:arn (the documented condition; CloudWatch Logs documents no aws:Source* key
   * for these calls, so a statement that relies on one is reported).
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   */
  private logGroupKeys(): void {
    for (const group of this.templates.ofType('AWS::Logs::LogGroup')) {
      const key = targetKey(this.templates, group);
      const edge = EDGES.logsToKey;
      if (key.kind === 'none') continue;
      if (key.kind === 'unverifiable') {
        this.unreadable.push(`${edge}: ${this.templates.label(group)} cannot be checked: ${key.why}`);
        continue;
      }
      this.admissions.push({
        edge,
        source: this.templates.label(group),
        subject: `the key policy of ${this.templates.label(key.key)}`,
        statements: this.policies.keyPolicy(key.key),
        request: {
          caller: { kind: 'service', name: `logs.${group.stack.region}.amazonaws.com` },
          actions: LOGS_KEY_ACTIONS,
          resources: this.arns.of(key.key),
          context: { 'aws:securetransport': ['true'], [LOGS_CONTEXT_KEY]: this.arns.of(group) },
        },
        narrowBy: [LOGS_CONTEXT_KEY],
      });
    }
  }

  /** A service principal delivers into a topic, queue or bucket: its resource policy and its key admit it. */
  private serviceDelivers(
    edge: string,
    source: ResourceHandle,
    service: string,
    target: ResourceHandle,
    actions: string[],
    keyActions: string[] = PRODUCER_KEY_ACTIONS,
    resources: string[] = this.arns.of(target),
  ): void {
    const context = {
      'aws:securetransport': ['true'],
      'aws:sourceaccount': this.templates.accountForms(source.stack),
      'aws:sourcearn': this.arns.of(source),
    };
    const caller = { kind: 'service', name: service } as const;
    const label = this.templates.label(target);
    const [kind, statements] = this.resourcePolicy(target);
    this.admissions.push({
      edge,
      source: this.templates.label(source),
      subject: `the ${kind} of ${label}`,
      statements,
      request: { caller, actions, resources, context },
      narrowBy: SOURCE_KEYS,
    });
    const key = targetKey(this.templates, target);
    if (key.kind === 'unverifiable') {
      this.unreadable.push(`${edge}: ${label} cannot admit ${service}: ${key.why}`);
    } else if (key.kind === 'customer-managed') {
      this.admissions.push({
        edge,
        source: this.templates.label(source),
        subject: `the key policy of ${this.templates.label(key.key)} (key of ${label})`,
        statements: this.policies.keyPolicy(key.key),
        request: { caller, actions: keyActions, resources: this.arns.of(key.key), context },
        narrowBy: SOURCE_KEYS,
      });
    }
  }

  /** A service assumes a role: the role's trust policy admits it, narrowed to the account or the source. */
  private trusts(
    edge: string,
    source: ResourceHandle,
    role: ResourceHandle,
    service: string,
    sourceArns: string[],
  ) {
    this.admissions.push({
      edge,
      source: this.templates.label(source),
      subject: `the trust policy of ${this.templates.label(role)}`,
      statements: this.policies.trustPolicy(role),
      request: {
        caller: { kind: 'service', name: service },
        actions: ['sts:AssumeRole'],
        context: {
          'aws:securetransport': ['true'],
          'aws:sourceaccount': this.templates.accountForms(source.stack),
          'aws:sourcearn': sourceArns,
        },
      },
      narrowBy: SOURCE_KEYS,
    });
  }

  /** A service acts through a role of the same account: the role may act, no Deny stops it, the key admits it. */
  private roleDelivers(
    edge: string,
    source: ResourceHandle,
    role: ResourceHandle,
    target: ResourceHandle,
    actions: string[],
  ) {
    const identity = this.policies.identityPolicies(role);
    const roleLabel = this.templates.label(role);
    const sourceLabel = this.templates.label(source);
    const roleContext = { 'aws:securetransport': ['true'], 'aws:requestedregion': [target.stack.region] };
    const label = this.templates.label(target);
    this.admissions.push({
      edge,
      source: sourceLabel,
      subject: `the policies of ${roleLabel}`,
      on: label,
      statements: identity,
      request: {
        caller: { kind: 'identity' },
        actions,
        resources: this.arns.of(target),
        context: roleContext,
      },
    });
    const iamCaller = { kind: 'iam', forms: this.arns.principalForms(role) } as const;
    if (target.resource.Type === 'AWS::Lambda::Function') return;
    const [kind, statements] = this.resourcePolicy(target);
    this.admissions.push({
      edge,
      source: sourceLabel,
      subject: `the ${kind} of ${label}`,
      statements,
      request: { caller: iamCaller, actions, resources: this.arns.of(target), context: roleContext },
      denialsOnly: true,
    });
    const key = targetKey(this.templates, target);
    if (key.kind === 'unverifiable') {
      this.unreadable.push(`${edge}: ${label} cannot admit ${roleLabel}: ${key.why}`);
    } else if (key.kind === 'customer-managed') {
      const keyLabel = this.templates.label(key.key);
      const resources = this.arns.of(key.key);
      this.admissions.push({
        edge,
        source: sourceLabel,
        subject: `the policies of ${roleLabel}`,
        on: `${keyLabel} (key of ${label})`,
        statements: identity,
        request: {
          caller: { kind: 'identity' },
          actions: PRODUCER_KEY_ACTIONS,
          resources,
          context: roleContext,
        },
      });
      this.admissions.push({
        edge,
        source: sourceLabel,
        subject: `the key policy of ${keyLabel} (key of ${label}) for ${roleLabel}`,
        statements: this.policies.keyPolicy(key.key),
        request: { caller: iamCaller, actions: PRODUCER_KEY_ACTIONS, resources, context: roleContext },
      });
    }
  }

  private roleDeliversToQueueOrTopic(
    edge: string,
    source: ResourceHandle,
    role: ResourceHandle,
    destination: Json,
  ) {
    const target = this.templates.resolve(source.stack, destination)?.target;
    if (target?.resource.Type === 'AWS::SQS::Queue') {
      this.roleDelivers(edge, source, role, target, ['sqs:SendMessage']);
    } else if (target?.resource.Type === 'AWS::SNS::Topic') {
      this.roleDelivers(edge, source, role, target, ['sns:Publish']);
    } else {
      this.unreadable.push(
        `${edge}: ${this.templates.label(source)} sends to ${this.describe(source, destination, target)}, which the check does not model`,
      );
    }
  }

  private resourcePolicy(target: ResourceHandle): [string, PlacedStatement[]] {
    switch (target.resource.Type) {
      case 'AWS::SNS::Topic':
        return ['topic policy', this.policies.topicPolicy(target)];
      case 'AWS::SQS::Queue':
        return ['queue policy', this.policies.queuePolicy(target)];
      case 'AWS::S3::Bucket':
        return ['bucket policy', this.policies.bucketPolicy(target)];
      default:
        return [`resource policy (unknown for ${target.resource.Type})`, []];
    }
  }

  private roleOf(edge: string, source: ResourceHandle, expression: Json): ResourceHandle | undefined {
    const role = this.templates.resolve(source.stack, expression)?.target;
    if (role?.resource.Type === 'AWS::IAM::Role') return role;
    this.unreadable.push(`${edge}: ${this.templates.label(source)} uses a role outside these templates`);
    return undefined;
  }

  private describe(from: ResourceHandle, expression: Json, resolved: ResourceHandle | undefined): string {
    return resolved
      ? `${this.templates.label(resolved)} (${resolved.resource.Type})`
      : this.templates.render(from.stack, expression);
  }
}
