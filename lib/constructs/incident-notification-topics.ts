import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface IncidentNotificationTopicsProps {
  /** The cell's name, for the key's alias. */
  readonly cellName: string;
  /** One topic is created per tenant id. */
  readonly tenants: readonly string[];
}

/**
 * Each tenant's breach-notification channel (DESIGN §12): an SNS topic per tenant, which the tenant subscribes
 * to (email, HTTPS or a queue), so one tenant's notification never reaches another. Every topic is KMS-encrypted
 * and refuses requests without TLS (`enforceSSL`: a deny on `aws:SecureTransport` false), and is retained with the
 * cell's other stateful resources, since its subscriptions are the tenant's.
 *
 * The topics have a key of their own: a publisher needs GenerateDataKey and Decrypt on a topic's key
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), and on the cell key that would also let
 * it make data keys for the tables. The key policy admits this account's IAM only: the one publisher is optline's
 * own function, granted through IAM, and SNS decrypts for delivery to email and HTTPS endpoints itself.
 */
export class IncidentNotificationTopics extends Construct {
  /** Each tenant's topic, by tenant id. */
  public readonly topics: ReadonlyMap<string, Topic>;
  /** Encrypts every topic. */
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: IncidentNotificationTopicsProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `optline ${props.cellName}: encrypts the tenants' breach-notification topics`,
      alias: `alias/optline/${props.cellName}/incident-notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.topics = new Map(
      props.tenants.map((tenantId) => {
        const topic = new Topic(this, tenantId, {
          displayName: `optline breach notifications: ${tenantId}`.slice(0, 100),
          masterKey: this.key,
          enforceSSL: true,
        });
        topic.applyRemovalPolicy(RemovalPolicy.RETAIN);
        new CfnOutput(this, `${tenantId}TopicArn`, {
          value: topic.topicArn,
          description: `Subscribe ${tenantId}'s privacy contact here: breach notifications (GDPR Art. 33)`,
        });
        return [tenantId, topic];
      }),
    );
  }
}
