import fc from 'fast-check';
import {
  isFinalStatus,
  parseDeliveryEvent,
  statusesReplacedBy,
  TEXT_EVENT_STATUS,
} from '../../lambdas/domain/delivery-events';

const DESTINATION = '+447400123456';
const ORIGINATION = '+12065550152';
const AT = 1_764_000_000_123;

/** An SMS event as End User Messaging publishes it (shape from its "Example SMS event data" page). */
const event = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventType: 'TEXT_DELIVERED',
  eventVersion: '1.0',
  eventTimestamp: AT,
  isFinal: true,
  originationPhoneNumber: ORIGINATION,
  destinationPhoneNumber: DESTINATION,
  isInternationalSend: false,
  isoCountryCode: 'GB',
  mcc: '234',
  mnc: '15',
  messageId: 'provider-862a8790-60c0-4430',
  messageRequestTimestamp: AT - 300,
  messageEncoding: 'GSM',
  messageType: 'TRANSACTIONAL',
  messageStatus: 'DELIVERED',
  messageStatusDescription: `Message delivered to ${DESTINATION}`,
  context: { tenantId: 'demo', messageId: '0b6f3c1e-5d4a-4e0b-9a37-2f1d8c6e7a90' },
  totalMessageParts: 1,
  totalMessagePrice: 0.0345,
  totalCarrierFee: 0,
  ...overrides,
});

const parse = (overrides: Record<string, unknown> = {}) =>
  parseDeliveryEvent(JSON.stringify(event(overrides)));

describe('parseDeliveryEvent', () => {
  it('reads our ids from context, the time from eventTimestamp and the event type as provider status', () => {
    expect(parse()).toEqual({
      messageId: '0b6f3c1e-5d4a-4e0b-9a37-2f1d8c6e7a90',
      tenantId: 'demo',
      status: 'delivered',
      at: new Date(AT),
      providerStatus: 'TEXT_DELIVERED',
    });
  });

  it.each([
    ['TEXT_DELIVERED', 'delivered'],
    ['TEXT_SUCCESSFUL', 'sent'],
    ['TEXT_BLOCKED', 'failed'],
    ['TEXT_TTL_EXPIRED', 'failed'],
    ['TEXT_CARRIER_UNREACHABLE', 'failed'],
    ['TEXT_INVALID', 'failed'],
    ['TEXT_INVALID_MESSAGE', 'failed'],
    ['TEXT_CARRIER_BLOCKED', 'failed'],
    ['TEXT_UNREACHABLE', 'failed'],
    ['TEXT_SPAM', 'failed'],
    ['TEXT_UNKNOWN', 'failed'],
    ['TEXT_PROTECT_BLOCKED', 'failed'],
  ])('maps %s to %s', (eventType, status) => {
    expect(parse({ eventType })).toEqual(expect.objectContaining({ status, providerStatus: eventType }));
  });

  it('maps every mapped type of the table, and no other', () => {
    const mapped = Object.entries(TEXT_EVENT_STATUS).filter(([, status]) => status !== undefined);
    expect(mapped.map(([type]) => type).sort()).toEqual(
      [
        'TEXT_BLOCKED',
        'TEXT_CARRIER_BLOCKED',
        'TEXT_CARRIER_UNREACHABLE',
        'TEXT_DELIVERED',
        'TEXT_INVALID',
        'TEXT_INVALID_MESSAGE',
        'TEXT_PROTECT_BLOCKED',
        'TEXT_SPAM',
        'TEXT_SUCCESSFUL',
        'TEXT_TTL_EXPIRED',
        'TEXT_UNKNOWN',
        'TEXT_UNREACHABLE',
      ].sort(),
    );
  });

  it.each(['TEXT_QUEUED', 'TEXT_PENDING'])('ignores %s, a message still on its way', (eventType) => {
    expect(parse({ eventType, isFinal: false })).toBeUndefined();
  });

  it.each(['VOICE_COMPLETED', 'MEDIA_DELIVERED', 'TEXT_SOMETHING_NEW', 'constructor', 'toString'])(
    'ignores an event type it does not know (%s)',
    (eventType) => {
      expect(parse({ eventType })).toBeUndefined();
    },
  );

  it('ignores a failure the provider flags as not final, and takes one flagged final or not flagged', () => {
    expect(parse({ eventType: 'TEXT_CARRIER_UNREACHABLE', isFinal: false })).toBeUndefined();
    expect(parse({ eventType: 'TEXT_CARRIER_UNREACHABLE', isFinal: true })?.status).toBe('failed');
    expect(parse({ eventType: 'TEXT_CARRIER_UNREACHABLE', isFinal: undefined })?.status).toBe('failed');
  });

  it.each([
    ['not JSON', '{"eventType": "TEXT_DELIVERED"'],
    ['empty', ''],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
    ['a JSON string', '"TEXT_DELIVERED"'],
  ])('returns undefined for a body that is %s', (_, body) => {
    expect(parseDeliveryEvent(body)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['no context', { context: undefined }],
    ['an empty context', { context: {} }],
    ['another sender context', { context: { account: 'bar' } }],
    ['no tenantId', { context: { messageId: 'm-1' } }],
    ['no messageId', { context: { tenantId: 'demo' } }],
    ['a numeric messageId', { context: { tenantId: 'demo', messageId: 42 } }],
    ['a tenantId that could forge a key prefix', { context: { tenantId: 'demo#S', messageId: 'm-1' } }],
    ['an empty messageId', { context: { tenantId: 'demo', messageId: '' } }],
  ])('ignores an event with %s', (_, overrides) => {
    expect(parse(overrides)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['no eventTimestamp', { eventTimestamp: undefined }],
    ['an ISO eventTimestamp', { eventTimestamp: '2026-11-24T12:00:00Z' }],
    ['a negative eventTimestamp', { eventTimestamp: -1 }],
    ['an eventTimestamp past the Date range', { eventTimestamp: 9e15 }],
    ['no eventType', { eventType: undefined }],
    ['a lower-case eventType', { eventType: 'text_delivered' }],
  ])('ignores an event with %s', (_, overrides) => {
    expect(parse(overrides)).toBeUndefined();
  });

  it('never returns either phone number or the status description', () => {
    const update = parse({ eventType: 'TEXT_BLOCKED' });
    expect(update).toBeDefined();
    const text = JSON.stringify(update);
    expect(text).not.toContain(DESTINATION);
    expect(text).not.toContain(ORIGINATION);
    expect(text).not.toContain('Message delivered');
    expect(Object.keys(update!).sort()).toEqual(['at', 'messageId', 'providerStatus', 'status', 'tenantId']);
  });

  it('never throws, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (body) => {
          expect(() => parseDeliveryEvent(body)).not.toThrow();
        },
      ),
    );
  });
});

describe('status order', () => {
  it('lets a final status replace only sent, and sent replace nothing', () => {
    expect(statusesReplacedBy('delivered')).toEqual(['sent']);
    expect(statusesReplacedBy('failed')).toEqual(['sent']);
    expect(statusesReplacedBy('sent')).toEqual([]);
    expect([isFinalStatus('sent'), isFinalStatus('delivered'), isFinalStatus('failed')]).toEqual([
      false,
      true,
      true,
    ]);
  });
});
