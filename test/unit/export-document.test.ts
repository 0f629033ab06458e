import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeDsr, type DsrRecord, ERASURE_RETAINED, receiveDsr } from '../../lambdas/domain/dsr';
import {
  buildExportDocument,
  containsMessageBodies,
  EXPORT_SCHEMA_VERSION,
  EXPORT_SECTIONS,
  exportDocumentSchema,
  type ExportInput,
  type ExportMessageInput,
} from '../../lambdas/domain/export-document';
import type { MessageRecord } from '../../lambdas/domain/messages';
import { RETENTION } from '../../lambdas/domain/retention';
import type { ConsentEvent, SubscriberRecord } from '../../lambdas/domain/subscribers';

const TENANT = 'demo';
const SUBJECT = 'c3ViamVjdC1pZC1mb3ItdGVzdHMtb25seS0xMjM0NTY';
const PHONE = '+447400123456';

const profile: SubscriberRecord = {
  tenantId: TENANT,
  subjectId: SUBJECT,
  phone: PHONE,
  status: 'active',
  topics: ['offers'],
  locale: 'en-GB',
  timeZone: 'Europe/London',
  createdAt: '2025-11-02T10:00:00.000Z',
  lastInteractionAt: '2026-01-15T18:20:00.000Z',
  expiresAt: Date.parse('2029-01-15T18:20:00.000Z') / 1000,
  purgeDay: '2029-01-15',
};

function consent(eventId: string, type: ConsentEvent['type'], at: string): ConsentEvent {
  return {
    tenantId: TENANT,
    subjectId: SUBJECT,
    eventId,
    type,
    at,
    channel: 'sms',
    source: type === 'opt_out' ? 'keyword' : 'api',
    scope: 'all',
    evidence: type === 'opt_out' ? { keyword: 'STOP' } : { noticeVersion: 'v3', ip: '203.0.113.7' },
    expiresAt: Date.parse(at) / 1000 + 5 * 365 * 86_400,
  };
}

function message(
  messageId: string,
  createdAt: string,
  overrides: Partial<MessageRecord> = {},
): MessageRecord {
  return {
    tenantId: TENANT,
    subjectId: SUBJECT,
    messageId,
    direction: 'outbound',
    category: 'marketing',
    topic: 'offers',
    phone: PHONE,
    body: `Body of ${messageId}`,
    channel: 'end-user-messaging',
    providerMessageId: `prov-${messageId}`,
    status: 'delivered',
    segments: 1,
    createdAt,
    updatedAt: createdAt,
    expiresAt: Date.parse(createdAt) / 1000 + 180 * 86_400,
    ...overrides,
  };
}

/** Messages given out of time order, as a store might return them from several queries. */
const MESSAGES: MessageRecord[] = [
  message('m-2', '2026-01-10T09:00:00.000Z'),
  message('m-3', '2026-01-12T21:30:00.000Z', {
    direction: 'inbound',
    category: 'opt_out_confirmation',
    body: 'STOP',
    status: 'received',
  }),
  message('m-1', '2026-01-05T08:00:00.000Z', { category: 'transactional', topic: undefined }),
];

const EVENTS: ConsentEvent[] = [
  consent('e-3', 're_opt_in', '2026-01-14T08:00:00.000Z'),
  consent('e-1', 'opt_in', '2025-11-02T10:00:00.000Z'),
  consent('e-2', 'opt_out', '2026-01-12T21:30:00.000Z'),
];

function earlierRequest(): DsrRecord {
  return completeDsr(
    receiveDsr({
      tenantId: TENANT,
      requestId: 'req-0',
      type: 'rectification',
      subjectId: SUBJECT,
      regime: 'GDPR',
      receivedAt: new Date('2025-12-01T12:00:00.000Z'),
      verification: { method: 'sms_otp', reference: 'otp-secret-reference-991' },
      changes: { timeZone: 'Europe/London' },
    }),
    { exportKey: 'demo/req-0.json', retained: [] },
    new Date('2025-12-02T12:00:00.000Z'),
  );
}

function input(overrides: Partial<ExportInput> = {}): ExportInput {
  return {
    tenantId: TENANT,
    subjectId: SUBJECT,
    generatedAt: new Date('2026-01-20T12:00:00.000Z'),
    requestId: 'req-1',
    profile,
    marketing: { segments: ['vip'], tags: { tier: 'gold' } },
    consentEvents: EVENTS,
    suppressions: [],
    messages: MESSAGES,
    dsrRequests: [earlierRequest()],
    ...overrides,
  };
}

/** Every property name anywhere in a JSON value. */
function allKeys(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => allKeys(item, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into.add(key);
      allKeys(child, into);
    }
  }
  return into;
}

describe('export document', () => {
  it('validates against its own schema, version 1.0, with the tenant as controller', () => {
    // GIVEN a subject with data in every category
    // WHEN the export is built
    const doc = buildExportDocument(input());
    // THEN it parses strictly and names the version, the controller and the subject
    expect(exportDocumentSchema.safeParse(doc).error).toBeUndefined();
    expect(doc.schemaVersion).toBe(EXPORT_SCHEMA_VERSION);
    expect(EXPORT_SCHEMA_VERSION).toBe('1.0');
    expect(doc.controller).toEqual({ tenantId: TENANT });
    expect(doc.subject).toEqual({ subjectId: SUBJECT });
    expect(doc.generatedAt).toBe('2026-01-20T12:00:00.000Z');
  });

  it('lists exactly the messages given, in time order, each with direction, category, body, createdAt and status', () => {
    // GIVEN three messages out of order
    // WHEN exported
    const { messages } = buildExportDocument(input());
    // THEN all three come out, oldest first, with their content
    expect(messages).toHaveLength(3);
    expect(messages.map((m) => m.messageId)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(messages[2]).toMatchObject({
      direction: 'inbound',
      category: 'opt_out_confirmation',
      body: 'STOP',
      createdAt: '2026-01-12T21:30:00.000Z',
      status: 'received',
    });
    expect(messages.map((m) => m.body).sort()).toEqual(MESSAGES.map((m) => m.body).sort());
    expect(messages[0]).not.toHaveProperty('topic');
  });

  it('includes the opt_in, opt_out and re_opt_in events in time order with their evidence', () => {
    const { consentLedger } = buildExportDocument(input());
    expect(consentLedger.map((e) => [e.type, e.at])).toEqual([
      ['opt_in', '2025-11-02T10:00:00.000Z'],
      ['opt_out', '2026-01-12T21:30:00.000Z'],
      ['re_opt_in', '2026-01-14T08:00:00.000Z'],
    ]);
    expect(consentLedger[1]!.evidence).toEqual({ keyword: 'STOP' });
  });

  it('contains no storage keys, no purgeDay, no TTL seconds, no export key and no verification reference', () => {
    // GIVEN raw items that still carry their DynamoDB keys and TTL internals
    const rawProfile = { ...profile, pk: 'T#demo', sk: `S#${SUBJECT}`, purgeDay: '2029-01-15' };
    const rawMessages = MESSAGES.map((m) => ({
      ...m,
      pk: `T#demo#S#${SUBJECT}`,
      sk: `${m.createdAt}#${m.messageId}`,
    }));
    const rawMarketing = {
      pk: 'T#demo',
      sk: `S#${SUBJECT}#MKT`,
      expiresAt: 1_800_000_000,
      purgeDay: '2027-01-15',
      segments: ['vip'],
    };
    // WHEN exported
    const doc = buildExportDocument(
      input({ profile: rawProfile, messages: rawMessages, marketing: rawMarketing }),
    );
    // THEN none of those fields appear anywhere in the document
    const keys = allKeys(JSON.parse(JSON.stringify(doc)));
    for (const internal of ['pk', 'sk', 'purgeDay', 'expiresAt', 'exportKey', 'reference']) {
      expect(keys.has(internal)).toBe(false);
    }
    const text = JSON.stringify(doc);
    expect(text).not.toContain('T#demo');
    expect(text).not.toContain('otp-secret-reference-991');
    expect(text).not.toContain('demo/req-0.json');
    expect(doc.marketingAttributes).toEqual({ segments: ['vip'] });
  });

  it('writes every time as a UTC ISO 8601 instant, converting epoch TTLs and offsets', () => {
    const doc = buildExportDocument(
      input({ suppressions: [{ scope: 'all', since: '2026-01-12T22:30:00+01:00', source: 'keyword' }] }),
    );
    expect(doc.suppressions).toEqual([
      { scope: 'all', since: '2026-01-12T21:30:00.000Z', source: 'keyword' },
    ]);
    expect(doc.profile?.scheduledDeletionAt).toBe('2029-01-15T18:20:00.000Z');
  });

  it('lists earlier requests with what was retained but without the export key', () => {
    const erasure = completeDsr(
      receiveDsr({
        tenantId: TENANT,
        requestId: 'req-00',
        type: 'erasure',
        subjectId: SUBJECT,
        regime: 'GDPR',
        receivedAt: new Date('2025-10-01T00:00:00.000Z'),
        verification: { method: 'email', reference: 'ticket-1' },
      }),
      { retained: ERASURE_RETAINED },
      new Date('2025-10-02T00:00:00.000Z'),
    );
    const { dsrRequests } = buildExportDocument(input({ dsrRequests: [earlierRequest(), erasure] }));
    expect(dsrRequests.map((r) => r.requestId)).toEqual(['req-00', 'req-0']);
    expect(dsrRequests[0]!.retained?.map((r) => r.category)).toEqual(['consentProof', 'optOutSuppression']);
    expect(dsrRequests[1]).toMatchObject({ type: 'rectification', changes: { timeZone: 'Europe/London' } });
  });

  it('leaves the request being answered out of dsrRequests', () => {
    // GIVEN the store returns the current access request along with an earlier one
    const current = receiveDsr({
      tenantId: TENANT,
      requestId: 'req-1',
      type: 'access',
      subjectId: SUBJECT,
      regime: 'GDPR',
      receivedAt: new Date('2026-01-19T00:00:00.000Z'),
      verification: { method: 'sms_otp', reference: 'otp-1' },
    });
    // WHEN the export for req-1 is built
    const { dsrRequests } = buildExportDocument(input({ dsrRequests: [current, earlierRequest()] }));
    // THEN only the earlier request is listed
    expect(dsrRequests.map((r) => r.requestId)).toEqual(['req-0']);
  });

  it('states how long each section is kept, from the retention schedule', () => {
    const { retention } = buildExportDocument(input());
    expect(Object.keys(retention).sort()).toEqual(Object.keys(EXPORT_SECTIONS).sort());
    expect(retention.messages).toMatchObject({ category: 'messageTraffic', keptFor: '6 months' });
    expect(retention.profile.keptFor).toBe('36 months');
    expect(retention.consentLedger.keptFor).toBe('5 years');
    expect(retention.suppressions.period).toBeNull();
    expect(retention.exportFile.period).toEqual(RETENTION.dsrExportFiles.period);
  });

  it('names every section even when the subject has no profile and no marketing item', () => {
    const doc = buildExportDocument(
      input({ profile: undefined, marketing: undefined, consentEvents: [], messages: [], dsrRequests: [] }),
    );
    expect(doc.profile).toBeNull();
    expect(doc.marketingAttributes).toBeNull();
    expect(doc.messages).toEqual([]);
    expect(exportDocumentSchema.safeParse(doc).success).toBe(true);
  });

  it('is byte for byte the same whatever order the stores return items in', () => {
    const forward = buildExportDocument(input());
    const reversed = buildExportDocument(
      input({ messages: [...MESSAGES].reverse(), consentEvents: [...EVENTS].reverse() }),
    );
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(forward));
  });

  it('refuses an item of another tenant rather than leak it into the export', () => {
    const foreign: ExportMessageInput = { ...MESSAGES[0]!, tenantId: 'acme' };
    expect(() => buildExportDocument(input({ messages: [foreign] }))).toThrow(/another tenant or subject/);
  });
});

describe('containsMessageBodies', () => {
  it('is false for a document built with zero messages', () => {
    expect(containsMessageBodies(buildExportDocument(input({ messages: [] })))).toBe(false);
  });

  it('is true once a single message is in the document', () => {
    expect(containsMessageBodies(buildExportDocument(input({ messages: [MESSAGES[0]!] })))).toBe(true);
  });
});

describe('docs/dsr-export.md', () => {
  const markdown = readFileSync(join(__dirname, '..', '..', 'docs', 'dsr-export.md'), 'utf8');
  const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? 'null') as unknown;

  it('shows an example that validates against the export schema', () => {
    expect(exportDocumentSchema.safeParse(example).error).toBeUndefined();
  });

  it('shows the retention section the builder writes today', () => {
    const built = buildExportDocument(input());
    expect((example as { retention: unknown }).retention).toEqual(built.retention);
  });

  it('documents every field of the document', () => {
    const documented = new Set([...markdown.matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1]));
    const fields = allKeys(JSON.parse(JSON.stringify(buildExportDocument(input()))));
    // the tenant's own marketing attribute names in the fixture
    const builderOnly = ['segments', 'tags', 'tier'];
    const undocumented = [...fields].filter(
      (field) => !documented.has(field) && !builderOnly.includes(field),
    );
    expect(undocumented).toEqual([]);
  });
});
