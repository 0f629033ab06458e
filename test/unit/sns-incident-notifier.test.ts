/** Delivery of a breach notification to the tenant's own SNS topic (DESIGN §12). */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsIncidentNotifier } from '../../lambdas/adapters/sns-incident-notifier';
import type { NotificationRecord } from '../../lambdas/domain/incidents';

const sns = mockClient(SNSClient);
const TOPICS = {
  demo: 'arn:aws:sns:eu-west-1:123456789012:demo-incidents',
  acme: 'arn:aws:sns:eu-west-1:123456789012:acme-incidents',
};

const notification = (tenantId: string): NotificationRecord => ({
  tenantId,
  incidentId: '9b2e4f1a-6c3d-4e8f-a1b2-3c4d5e6f7a8b',
  detectedAt: '2026-05-10T11:00:00.000Z',
  notifyBy: '2026-05-13T11:00:00.000Z',
  window: { from: '2026-05-09T00:00:00.000Z', to: '2026-05-09T23:59:59.000Z' },
  nature: 'Logs exposed',
  categories: [],
  approximateRecords: 3,
  approximateSubjects: 3,
  contact: 'privacy@operator.example',
  likelyConsequences: 'Unsolicited contact.',
  measures: 'Access revoked',
  createdAt: '2026-05-10T12:00:00.000Z',
  expiresAt: 1_900_000_000,
});

beforeEach(() => sns.reset());

describe('SnsIncidentNotifier', () => {
  it("publishes the tenant's notification to that tenant's topic only, with the incident id for deduplication", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsIncidentNotifier(new SNSClient({}), TOPICS).notify(notification('acme'));

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPICS.acme);
    expect(input.PhoneNumber).toBeUndefined();
    expect(input.MessageAttributes).toEqual({
      incidentId: { DataType: 'String', StringValue: '9b2e4f1a-6c3d-4e8f-a1b2-3c4d5e6f7a8b' },
    });
    // The message is the tenant's view: no storage fields, no other tenant's name.
    const message = JSON.parse(input.Message!) as Record<string, unknown>;
    expect(message).toMatchObject({
      incidentId: '9b2e4f1a-6c3d-4e8f-a1b2-3c4d5e6f7a8b',
      approximateRecords: 3,
    });
    expect(message).not.toHaveProperty('expiresAt');
    expect(message).not.toHaveProperty('tenantId');
    expect(input.Subject!.length).toBeLessThanOrEqual(100);
  });

  it('fails, publishing nothing, for a tenant without a topic, so the deadline job retries and alarms', async () => {
    await expect(
      new SnsIncidentNotifier(new SNSClient({}), TOPICS).notify(notification('other')),
    ).rejects.toThrow(/no incident notification topic/);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('passes a failed publish on, for the claim to be released', async () => {
    sns.on(PublishCommand).rejects(new Error('throttled'));
    await expect(
      new SnsIncidentNotifier(new SNSClient({}), TOPICS).notify(notification('demo')),
    ).rejects.toThrow('throttled');
  });
});
