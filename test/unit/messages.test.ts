import type { MessageRecord, MessageStore, SendDeps } from '../../lambdas/domain/messages';
import { sendMessage } from '../../lambdas/domain/messages';
import { ProviderRejectedError, ProviderThrottledError, type SmsSender } from '../../lambdas/domain/sms';

const NOW = new Date('2026-11-24T12:00:00Z');
const TO = '+447400123456';

/** The send flow with in-memory ports: a consenting recipient, and a log store that may fail. */
function deps(options: { sender: SmsSender; logFails?: boolean }) {
  const logged: MessageRecord[] = [];
  const notLogged: string[] = [];
  const messages: MessageStore = {
    recipientState: async (tenantId, subjectId) => ({
      subscriber: {
        tenantId,
        subjectId,
        phone: TO,
        status: 'active',
        topics: [],
        createdAt: NOW.toISOString(),
        lastInteractionAt: NOW.toISOString(),
      },
      suppressedScopes: [],
    }),
    log: async (record) => {
      if (options.logFails) throw new Error('ProvisionedThroughputExceededException');
      logged.push(record);
      return 'logged';
    },
    findById: async () => undefined,
  };
  const sendDeps: SendDeps = {
    messages,
    // Transactional sends never read the marketing history.
    marketingHistory: {
      countSince: async () => {
        throw new Error('a transactional send read the marketing history');
      },
    },
    tenants: {
      get: async (tenantId) => ({
        tenantId,
        brand: 'Demo',
        contact: 'help@example.test',
        channel: { channel: 'outbox' },
      }),
    },
    subjectIds: { derive: async () => 'subject-1' },
    sender: options.sender,
    clock: () => NOW,
    newId: () => 'message-1',
    onNotLogged: (messageId) => void notLogged.push(messageId),
  };
  return { sendDeps, logged, notLogged };
}

const request = { to: TO, body: 'Your code is 1234', category: 'transactional' } as const;

describe('sendMessage', () => {
  it('logs an accepted message once, with the provider id', async () => {
    const sender: SmsSender = {
      send: jest.fn(async () => ({ channel: 'outbox' as const, providerMessageId: 'p-1' })),
    };
    const { sendDeps, logged, notLogged } = deps({ sender });

    const outcome = await sendMessage(sendDeps, 'demo', request);

    expect(outcome).toEqual({ messageId: 'message-1', status: 'sent', subjectId: 'subject-1' });
    expect(logged).toEqual([expect.objectContaining({ messageId: 'message-1', providerMessageId: 'p-1' })]);
    expect(notLogged).toEqual([]);
  });

  it('counts a message the provider took as sent, and reports it, when the log write fails', async () => {
    const sender: SmsSender = {
      send: jest.fn(async () => ({ channel: 'outbox' as const, providerMessageId: 'p-1' })),
    };
    const { sendDeps, notLogged } = deps({ sender, logFails: true });

    const outcome = await sendMessage(sendDeps, 'demo', request);

    expect(outcome.status).toBe('sent');
    expect(sender.send).toHaveBeenCalledTimes(1);
    expect(notLogged).toEqual(['message-1']);
  });

  it('fails, for a retry, when a message the provider refused cannot be logged', async () => {
    const sender: SmsSender = {
      send: async () => {
        throw new ProviderRejectedError('InvalidDestination');
      },
    };
    const { sendDeps, notLogged } = deps({ sender, logFails: true });

    await expect(sendMessage(sendDeps, 'demo', request)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    expect(notLogged).toEqual([]);
  });

  it('logs nothing while the provider throttles, so a retry sends and logs once', async () => {
    const sender: SmsSender = {
      send: async () => {
        throw new ProviderThrottledError(2);
      },
    };
    const { sendDeps, logged } = deps({ sender });

    await expect(sendMessage(sendDeps, 'demo', request)).rejects.toBeInstanceOf(ProviderThrottledError);
    expect(logged).toEqual([]);
  });
});
