/**
 * Delivers a breach notification to the tenant's own SNS topic, which the tenant subscribes to (email, HTTPS,
 * SQS). The message is the notification as the tenant reads it from the API: ids, counts and the operator's
 * texts, never a phone number or a message body.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { notificationView, type IncidentNotifier, type NotificationRecord } from '../domain/incidents';

export class SnsIncidentNotifier implements IncidentNotifier {
  constructor(
    private readonly sns: SNSClient,
    /** The topic ARN of each tenant of the cell. */
    private readonly topicByTenant: Readonly<Record<string, string>>,
  ) {}

  async notify(notification: NotificationRecord): Promise<void> {
    const topicArn = this.topicByTenant[notification.tenantId];
    if (!topicArn) throw new Error(`Tenant ${notification.tenantId} has no incident notification topic`);
    await this.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        // SNS subjects are at most 100 ASCII characters (Publish, Subject).
        Subject: 'Personal data breach notification (GDPR Art. 33)',
        Message: JSON.stringify(notificationView(notification)),
        // Lets a subscriber drop a repeat: a crash between sending and recording may send one twice.
        MessageAttributes: { incidentId: { DataType: 'String', StringValue: notification.incidentId } },
      }),
    );
  }
}
