import { OutboxSender } from '../../lambdas/adapters/sms/outbox-sender';
import { US_SIMULATOR_DESTINATIONS } from '../../lambdas/adapters/sms/simulator-destinations';
import { parseDeliveryEvent } from '../../lambdas/domain/delivery-events';
import type { ChannelConfig, MessageCategory, OutboundSms } from '../../lambdas/domain/sms';

const OUTBOX: ChannelConfig = { channel: 'outbox' };
const AT = new Date('2026-03-01T09:30:00.000Z');

const sms = (to: string, category: MessageCategory = 'transactional'): OutboundSms => ({
  messageId: `msg-${to.slice(-4)}`,
  tenantId: 'demo',
  to,
  body: 'Secret body text',
  category,
});

/** An outbox that collects the delivery events it hands out. */
function simulatingOutbox(onSend?: () => void): { outbox: OutboxSender; events: string[] } {
  const events: string[] = [];
  const outbox = new OutboxSender({
    clock: () => AT,
    onDeliveryEvent: (json) => events.push(json),
    ...(onSend ? { onSend } : {}),
  });
  return { outbox, events };
}

describe('OutboxSender as the End User Messaging simulator', () => {
  it('answers the success number with a delivered event that the delivery-status parser maps to our message', async () => {
    // GIVEN an outbox that hands out delivery events
    const { outbox, events } = simulatingOutbox();

    // WHEN a message goes to the US success simulator number
    await outbox.send(sms(US_SIMULATOR_DESTINATIONS.success), OUTBOX);

    // THEN exactly one event comes out, and the consumer's parser reads it as delivered, for our ids
    expect(events).toHaveLength(1);
    expect(parseDeliveryEvent(events[0]!)).toStrictEqual({
      messageId: 'msg-7755',
      tenantId: 'demo',
      status: 'delivered',
      at: AT,
      providerStatus: 'TEXT_DELIVERED',
    });
  });

  it('answers the failure number with a final failure event', async () => {
    const { outbox, events } = simulatingOutbox();

    await outbox.send(sms(US_SIMULATOR_DESTINATIONS.failure, 'marketing'), OUTBOX);

    expect(events).toHaveLength(1);
    const event = JSON.parse(events[0]!) as Record<string, unknown>;
    // The shape End User Messaging publishes: event type, final flag, times in ms, our ids in `context`.
    expect(event).toMatchObject({
      eventType: 'TEXT_UNREACHABLE',
      eventVersion: '1.0',
      isFinal: true,
      eventTimestamp: AT.getTime(),
      messageRequestTimestamp: AT.getTime(),
      destinationPhoneNumber: US_SIMULATOR_DESTINATIONS.failure,
      messageType: 'PROMOTIONAL',
      context: { tenantId: 'demo', messageId: 'msg-7167' },
    });
    expect(parseDeliveryEvent(events[0]!)).toMatchObject({ messageId: 'msg-7167', status: 'failed' });
  });

  it('keeps the message body out of the event', async () => {
    const { outbox, events } = simulatingOutbox();

    await outbox.send(sms(US_SIMULATOR_DESTINATIONS.success), OUTBOX);

    expect(events[0]).not.toContain('Secret body text');
  });

  it('hands out no event for any other number, as before', async () => {
    const { outbox, events } = simulatingOutbox();

    await outbox.send(sms('+447400123456'), OUTBOX);
    await outbox.send(sms('+14254147756'), OUTBOX);

    expect(events).toEqual([]);
    expect(outbox.entries()).toHaveLength(2);
  });

  it('hands out no event for a message that did not make it into the outbox', async () => {
    // GIVEN an outbox whose persistence fails
    const { outbox, events } = simulatingOutbox(() => {
      throw new Error('disk full');
    });

    // WHEN a message to the success number is sent THEN the send fails and nothing is reported delivered
    await expect(outbox.send(sms(US_SIMULATOR_DESTINATIONS.success), OUTBOX)).rejects.toThrow('disk full');
    expect(events).toEqual([]);
  });
});
