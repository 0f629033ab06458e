import { OutboxSender, type OutboxEntry } from '../../lambdas/adapters/sms/outbox-sender';
import type { ChannelConfig, MessageCategory, OutboundSms } from '../../lambdas/domain/sms';

const OUTBOX: ChannelConfig = { channel: 'outbox' };

const sms = (messageId: string, category: MessageCategory = 'transactional'): OutboundSms => ({
  messageId,
  tenantId: 'demo',
  to: '+447400123456',
  body: `Body of ${messageId}`,
  category,
});

/** A clock that starts at `start` and moves one second per reading. */
function tickingClock(start: string): () => Date {
  let next = Date.parse(start);
  return () => {
    const now = new Date(next);
    next += 1_000;
    return now;
  };
}

describe('OutboxSender', () => {
  it('records the message with the injected clock and returns an outbox receipt without a provider id', async () => {
    // GIVEN an outbox on a fixed clock
    const outbox = new OutboxSender({ clock: () => new Date('2026-03-01T09:30:00.000Z') });

    // WHEN a marketing message is sent
    const receipt = await outbox.send(sms('msg-01', 'marketing'), OUTBOX);

    // THEN it is in the outbox with exactly the local-mode fields, and the receipt names the channel only
    expect(receipt).toStrictEqual({ channel: 'outbox' });
    expect(outbox.entries()).toStrictEqual([
      {
        messageId: 'msg-01',
        to: '+447400123456',
        body: 'Body of msg-01',
        category: 'marketing',
        channel: 'outbox',
        sentAt: '2026-03-01T09:30:00.000Z',
      },
    ]);
  });

  it('lists entries newest last', async () => {
    const outbox = new OutboxSender({ clock: tickingClock('2026-03-01T09:30:00.000Z') });

    await outbox.send(sms('msg-01'), OUTBOX);
    await outbox.send(sms('msg-02', 'help'), OUTBOX);
    await outbox.send(sms('msg-03', 'opt_out_confirmation'), OUTBOX);

    expect(outbox.entries().map((entry) => [entry.messageId, entry.category, entry.sentAt])).toEqual([
      ['msg-01', 'transactional', '2026-03-01T09:30:00.000Z'],
      ['msg-02', 'help', '2026-03-01T09:30:01.000Z'],
      ['msg-03', 'opt_out_confirmation', '2026-03-01T09:30:02.000Z'],
    ]);
  });

  it('hands out copies, so a caller cannot change what was sent', async () => {
    // GIVEN one sent message
    const outbox = new OutboxSender({ clock: () => new Date('2026-03-01T09:30:00.000Z') });
    await outbox.send(sms('msg-01'), OUTBOX);

    // WHEN a caller mutates what entries() returned
    const copy = outbox.entries();
    copy.pop();
    const again = outbox.entries();
    (again[0] as { body: string }).body = 'tampered';

    // THEN the outbox is unchanged
    expect(outbox.entries()).toHaveLength(1);
    expect(outbox.entries()[0]?.body).toBe('Body of msg-01');
  });

  it('calls onSend with the new entry after recording it', async () => {
    // GIVEN a hook that sees the outbox at the moment it is called
    const seen: { entry: OutboxEntry; size: number }[] = [];
    const outbox: OutboxSender = new OutboxSender({
      clock: () => new Date('2026-03-01T09:30:00.000Z'),
      onSend: async (entry) => {
        seen.push({ entry, size: outbox.entries().length });
      },
    });

    // WHEN a message is sent
    await outbox.send(sms('msg-01'), OUTBOX);

    // THEN the hook got that entry, with it already in the outbox
    expect(seen).toStrictEqual([{ entry: outbox.entries()[0], size: 1 }]);
  });

  it('takes the entry back out and rejects when onSend fails', async () => {
    const failure = new Error('disk full');
    const outbox = new OutboxSender({
      onSend: async (entry) => {
        if (entry.messageId === 'msg-02') throw failure;
      },
    });
    await outbox.send(sms('msg-01'), OUTBOX);

    await expect(outbox.send(sms('msg-02'), OUTBOX)).rejects.toBe(failure);
    expect(outbox.entries().map((entry) => entry.messageId)).toEqual(['msg-01']);
  });

  it('starts from restored entries and can be cleared', async () => {
    const restored: OutboxEntry = {
      messageId: 'msg-00',
      to: '+447400123456',
      body: 'earlier',
      category: 'transactional',
      channel: 'outbox',
      sentAt: '2026-02-28T12:00:00.000Z',
    };
    const outbox = new OutboxSender({
      initialEntries: [restored],
      clock: () => new Date('2026-03-01T00:00:00Z'),
    });

    await outbox.send(sms('msg-01'), OUTBOX);
    expect(outbox.entries().map((entry) => entry.messageId)).toEqual(['msg-00', 'msg-01']);

    outbox.clear();
    expect(outbox.entries()).toEqual([]);
  });

  it('uses the system clock by default', async () => {
    const before = Date.now();
    const outbox = new OutboxSender();

    await outbox.send(sms('msg-01'), OUTBOX);

    const sentAt = Date.parse(outbox.entries()[0]?.sentAt ?? '');
    expect(sentAt).toBeGreaterThanOrEqual(before);
    expect(sentAt).toBeLessThanOrEqual(Date.now());
  });
});
