import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface IncidentNotificationTopicsProps {
  /** One topic is created per tenant id. */
  readonly tenants: readonly string[];
  /** Encrypts every topic (SSE-KMS). Publishers get its use with the publish grant. */
  readonly encryptionKey: IKey;
}

/**
 * Each tenant's breach-notification channel (DESIGN §12): an SNS topic per tenant, which the tenant subscribes
 * to (email, HTTPS or a queue), so one tenant's notification never reaches another. Every topic is KMS-encrypted
 * and refuses requests without TLS (`enforceSSL`: a deny on `aws:SecureTransport` false), and is retained with the
 * cell's other stateful resources, since its subscriptions are the tenant's.
 */
export class IncidentNotificationTopics extends Construct {
  /** Each tenant's topic, by tenant id. */
  public readonly topics: ReadonlyMap<string, Topic>;

  constructor(scope: Construct, id: string, props: IncidentNotificationTopicsProps) {
    super(scope, id);
    this.topics = new Map(
      props.tenants.map((tenantId) => {
        const topic = new Topic(this, tenantId, {
          displayName: `optline breach notifications: ${tenantId}`.slice(0, 100),
          masterKey: props.encryptionKey,
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
