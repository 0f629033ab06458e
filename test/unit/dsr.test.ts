import fc from 'fast-check';
import {
  completeDsr,
  deadlineState,
  DsrAlreadyExtendedError,
  DsrClosedError,
  DsrExtensionTooLateError,
  type DsrRecord,
  dueAtFor,
  ERASURE_RETAINED,
  extend,
  extendedUntilFor,
  receiveDsr,
  rejectDsr,
  startDsr,
  toDsrAccepted,
  toDsrStatusView,
} from '../../lambdas/domain/dsr';
import { RETENTION } from '../../lambdas/domain/retention';
import {
  createDsrRequest,
  dsrAccepted,
  dsrExtended,
  dsrStatusView,
  extendDsrRequest,
} from '../../lambdas/shared/dsr-schemas';
import { InvalidInputError, ProblemError, toProblemResponse } from '../../lambdas/shared/problem';
import * as z from '../../lambdas/shared/zod';
import type { Regime } from '../../lib/config/regimes';

const DAY = 86_400_000;
const SECOND = 1000;
const SUBJECT = 'c3ViamVjdC1pZC1mb3ItdGVzdHMtb25seS0xMjM0NTY';

function received(regime: Regime, receivedAt: string, overrides: Partial<DsrRecord> = {}): DsrRecord {
  return {
    ...receiveDsr({
      tenantId: 'demo',
      requestId: 'req-1',
      type: 'access',
      subjectId: SUBJECT,
      regime,
      receivedAt: new Date(receivedAt),
      verification: { method: 'sms_otp', reference: 'otp-42' },
    }),
    ...overrides,
  };
}

/** Runs `act`, expecting a ProblemError; returns it for assertions. */
function problemFrom(act: () => unknown): ProblemError {
  try {
    act();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a ProblemError, but nothing was thrown');
}

const iso = (date: Date): string => date.toISOString();

describe('DSR deadlines under GDPR (Art. 12(3))', () => {
  it('is due one calendar month after receipt, on the last day of a shorter month: 2026-01-31 → 2026-02-28', () => {
    // GIVEN a request received on the last day of January
    const receivedAt = new Date('2026-01-31T09:30:00.000Z');
    // WHEN its deadline is computed
    const dueAt = dueAtFor('GDPR', receivedAt);
    // THEN February has no 31st, so it ends on the 28th at the same time of day
    expect(iso(dueAt)).toBe('2026-02-28T09:30:00.000Z');
  });

  it('extends to two calendar months from receipt: 2026-01-31 → 2026-03-31', () => {
    expect(iso(extendedUntilFor('GDPR', new Date('2026-01-31T09:30:00.000Z')))).toBe(
      '2026-03-31T09:30:00.000Z',
    );
  });

  it('is due on 2026-04-30 for a request received on 2026-03-31', () => {
    expect(iso(dueAtFor('GDPR', new Date('2026-03-31T00:00:00.000Z')))).toBe('2026-04-30T00:00:00.000Z');
  });

  it('records the deadline on a new request, which starts as received', () => {
    // GIVEN / WHEN a GDPR request is received
    const record = received('GDPR', '2026-01-31T09:30:00.000Z');
    // THEN it is open, due a month later, and not extended
    expect(record).toMatchObject({ status: 'received', dueAt: '2026-02-28T09:30:00.000Z' });
    expect(record.extendedUntil).toBeUndefined();
    // Open, it is bounded at 5 years from receipt; closing it moves that to 5 years from completion.
    expect(new Date(record.expiresAt! * 1000).toISOString()).toBe('2031-01-31T09:30:00.000Z');
  });
});

describe('DSR deadlines under CCPA (Cal. Civ. Code §1798.130(a)(2))', () => {
  it('is due 45 days after receipt', () => {
    expect(iso(dueAtFor('CCPA', new Date('2026-01-31T12:00:00.000Z')))).toBe('2026-03-17T12:00:00.000Z');
  });

  it('extends by 45 more days, 90 days after receipt in total', () => {
    const receivedAt = new Date('2026-01-31T12:00:00.000Z');
    const until = extendedUntilFor('CCPA', receivedAt);
    expect(iso(until)).toBe('2026-05-01T12:00:00.000Z');
    expect(until.getTime() - receivedAt.getTime()).toBe(90 * DAY);
    expect(until.getTime() - dueAtFor('CCPA', receivedAt).getTime()).toBe(45 * DAY);
  });
});

describe('extending a request', () => {
  it('extends a GDPR request once, to two months from receipt, keeping the trimmed reason', () => {
    // GIVEN an open GDPR request received on 2026-01-31
    const record = received('GDPR', '2026-01-31T09:30:00.000Z');
    // WHEN it is extended before its original deadline
    const extended = extend(
      record,
      '  Complex request spanning several systems ',
      new Date('2026-02-10T00:00:00Z'),
    );
    // THEN the deadline moves to 2026-03-31 and the original one stays
    expect(extended.extendedUntil).toBe('2026-03-31T09:30:00.000Z');
    expect(extended.extensionReason).toBe('Complex request spanning several systems');
    expect(extended.dueAt).toBe(record.dueAt);
    expect(record.extendedUntil).toBeUndefined();
  });

  it('refuses a second extension with a 409 conflict naming the current extended deadline', () => {
    // GIVEN a request that was already extended
    const once = extend(received('CCPA', '2026-01-01T00:00:00Z'), 'volume', new Date('2026-01-05T00:00:00Z'));
    // WHEN it is extended again
    const problem = problemFrom(() => extend(once, 'still busy', new Date('2026-01-06T00:00:00Z')));
    // THEN it is a 409 conflict, and the body says until when it is already extended
    expect(problem).toBeInstanceOf(DsrAlreadyExtendedError);
    expect(problem.status).toBe(409);
    expect(problem.type).toBe('urn:optline:problem:conflict');
    const body = JSON.parse(toProblemResponse(problem).body) as Record<string, unknown>;
    expect(body.extendedUntil).toBe(once.extendedUntil);
  });

  it.each(['completed', 'rejected'] as const)('refuses to extend a %s request with a 409', (status) => {
    // GIVEN a closed request
    const closed = received('GDPR', '2026-01-01T00:00:00Z', {
      status,
      completedAt: '2026-01-10T00:00:00.000Z',
    });
    // WHEN it is extended
    const problem = problemFrom(() => extend(closed, 'late work', new Date('2026-01-11T00:00:00Z')));
    // THEN it is a 409 that says the request is closed
    expect(problem).toBeInstanceOf(DsrClosedError);
    expect(problem.status).toBe(409);
    expect(problem.detail).toContain(status);
    expect(problem.detail).toContain('cannot be extended');
  });

  it.each(['', '   ', '\n\t'])('refuses an empty reason %j with a 400 on the reason field', (reason) => {
    const problem = problemFrom(() =>
      extend(received('GDPR', '2026-01-01T00:00:00Z'), reason, new Date('2026-01-02T00:00:00Z')),
    );
    expect(problem).toBeInstanceOf(InvalidInputError);
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ field: 'reason', message: 'must not be empty' }]);
  });

  it('refuses a reason longer than 500 characters with a 400', () => {
    const problem = problemFrom(() =>
      extend(received('GDPR', '2026-01-01T00:00:00Z'), 'x'.repeat(501), new Date('2026-01-02T00:00:00Z')),
    );
    expect(problem.status).toBe(400);
  });

  it('refuses an extension after the original deadline, since the subject must be told within the first period', () => {
    // GIVEN a GDPR request due on 2026-02-28T09:30Z
    const record = received('GDPR', '2026-01-31T09:30:00.000Z');
    // WHEN it is extended one second after that deadline
    const problem = problemFrom(() => extend(record, 'too late', new Date('2026-02-28T09:30:01.000Z')));
    // THEN it is a 409; at the deadline instant itself the extension is still accepted
    expect(problem).toBeInstanceOf(DsrExtensionTooLateError);
    expect(problem.status).toBe(409);
    expect(extend(record, 'just in time', new Date('2026-02-28T09:30:00.000Z')).extendedUntil).toBe(
      '2026-03-31T09:30:00.000Z',
    );
  });

  it('never sets extendedUntil before dueAt nor beyond the regime maximum (GDPR 2 months, CCPA 90 days)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Regime>('GDPR', 'CCPA'),
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2099-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (regime, receivedAt, fraction) => {
          const record = received(regime, receivedAt.toISOString());
          const dueAt = new Date(record.dueAt).getTime();
          // any moment between receipt and the original deadline
          const now = new Date(receivedAt.getTime() + Math.floor((dueAt - receivedAt.getTime()) * fraction));
          const until = new Date(extend(record, 'reason', now).extendedUntil!).getTime();
          const days = (until - receivedAt.getTime()) / DAY;
          expect(until).toBeGreaterThanOrEqual(dueAt);
          if (regime === 'CCPA') {
            expect(days).toBe(90);
          } else {
            // two calendar months are 59 to 62 days; the law's 3 months are never reached
            expect(days).toBeGreaterThanOrEqual(59);
            expect(days).toBeLessThanOrEqual(62);
            const month = (d: Date): number => d.getUTCFullYear() * 12 + d.getUTCMonth();
            expect(month(new Date(until)) - month(receivedAt)).toBe(2);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('deadline state', () => {
  const record = received('GDPR', '2026-03-01T00:00:00.000Z'); // due 2026-04-01T00:00Z
  const dueAt = new Date(record.dueAt).getTime();

  it('is due soon exactly 5 days before the deadline', () => {
    expect(deadlineState(record, new Date(dueAt - 5 * DAY))).toBe('due_soon');
  });

  it('is on time 5 days and 1 second before the deadline', () => {
    expect(deadlineState(record, new Date(dueAt - 5 * DAY - SECOND))).toBe('on_time');
  });

  it('is due soon at the deadline instant and overdue one second after it', () => {
    expect(deadlineState(record, new Date(dueAt))).toBe('due_soon');
    expect(deadlineState(record, new Date(dueAt + SECOND))).toBe('overdue');
  });

  it('measures an extended request against extendedUntil, not dueAt', () => {
    // GIVEN a request extended to 2026-05-01
    const extended = extend(record, 'volume', new Date('2026-03-20T00:00:00Z'));
    // WHEN the original deadline has passed by a day
    // THEN it is still on time, and becomes overdue only after the extended deadline
    expect(deadlineState(extended, new Date(dueAt + DAY))).toBe('on_time');
    expect(deadlineState(extended, new Date(new Date(extended.extendedUntil!).getTime() + SECOND))).toBe(
      'overdue',
    );
  });

  it('never reports a closed request as due soon or overdue', () => {
    const completed = completeDsr(record, { retained: [] }, new Date('2026-03-10T00:00:00Z'));
    expect(deadlineState(completed, new Date(dueAt + 30 * DAY))).toBe('on_time');
    const rejected = rejectDsr(record, 'identity not verified', new Date('2026-03-10T00:00:00Z'));
    expect(deadlineState(rejected, new Date(dueAt - DAY))).toBe('on_time');
  });
});

describe('request lifecycle', () => {
  it('keeps a completed request 5 years from completion, later than the bound it had while open', () => {
    // GIVEN an open request, bounded at 5 years from receipt
    const record = startDsr(received('GDPR', '2026-01-31T09:30:00.000Z'));
    expect(record.status).toBe('in_progress');
    expect(new Date(record.expiresAt! * 1000).toISOString()).toBe('2031-01-31T09:30:00.000Z');
    // WHEN it completes
    const done = completeDsr(record, { retained: ERASURE_RETAINED }, new Date('2026-02-02T08:00:00.000Z'));
    // THEN it expires 5 years after completion (retention category dsrRecord)
    expect(done.status).toBe('completed');
    expect(done.completedAt).toBe('2026-02-02T08:00:00.000Z');
    expect(RETENTION.dsrRecord.period).toEqual({ count: 5, unit: 'years' });
    expect(new Date(done.expiresAt! * 1000).toISOString()).toBe('2031-02-02T08:00:00.000Z');
  });

  it('closes a rejected request with its reason and the same 5-year expiry', () => {
    const rejected = rejectDsr(
      received('CCPA', '2026-01-01T00:00:00Z'),
      'identity not verified',
      new Date('2026-01-03T00:00:00Z'),
    );
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: 'identity not verified' });
    expect(new Date(rejected.expiresAt! * 1000).toISOString()).toBe('2031-01-03T00:00:00.000Z');
  });

  it('refuses to complete a request twice with a 409', () => {
    const done = completeDsr(
      received('GDPR', '2026-01-01T00:00:00Z'),
      { retained: [] },
      new Date('2026-01-02T00:00:00Z'),
    );
    const problem = problemFrom(() => completeDsr(done, { retained: [] }, new Date('2026-01-03T00:00:00Z')));
    expect(problem).toBeInstanceOf(DsrClosedError);
    expect(problem.status).toBe(409);
    expect(done.completedAt).toBe('2026-01-02T00:00:00.000Z');
  });

  it('requires changes for a rectification and refuses them for any other type', () => {
    const base = {
      tenantId: 'demo',
      requestId: 'req-2',
      subjectId: SUBJECT,
      regime: 'GDPR' as const,
      receivedAt: new Date('2026-01-01T00:00:00Z'),
      verification: { method: 'email' as const, reference: 'ticket-7' },
    };
    expect(() => receiveDsr({ ...base, type: 'rectification' })).toThrow(InvalidInputError);
    expect(() => receiveDsr({ ...base, type: 'erasure', changes: { locale: 'fr' } })).toThrow(
      InvalidInputError,
    );
    expect(receiveDsr({ ...base, type: 'rectification', changes: { locale: 'fr-FR' } }).changes).toEqual({
      locale: 'fr-FR',
    });
  });

  it('shows the client the deadline and, once completed, a download link but never the export key', () => {
    // GIVEN a completed access request with an export file
    const done = completeDsr(
      received('GDPR', '2026-01-01T00:00:00Z'),
      { exportKey: 'demo/req-1.json', exportExpiresAt: '2026-01-09T00:00:00.000Z', retained: [] },
      new Date('2026-01-02T00:00:00Z'),
    );
    // WHEN the GET view is built with a presigned URL
    const view = toDsrStatusView(done, {
      url: 'https://exports.example/demo/req-1.json?X-Amz-Signature=abc',
      expiresAt: new Date('2026-01-05T10:15:00Z'),
    });
    // THEN it validates against the response schema and carries no storage key
    expect(dsrStatusView.parse(view)).toEqual(view);
    expect(view.result).toEqual({
      downloadUrl: 'https://exports.example/demo/req-1.json?X-Amz-Signature=abc',
      expiresAt: '2026-01-05T10:15:00.000Z',
      retained: [],
    });
    expect(JSON.stringify(view)).not.toContain('exportKey');
    expect(dsrAccepted.parse(toDsrAccepted(done))).toEqual({
      requestId: 'req-1',
      status: 'completed',
      dueAt: '2026-02-01T00:00:00.000Z',
    });
  });
});

describe('what erasure keeps and deletes (DESIGN §2)', () => {
  it('keeps exactly the consent ledger and the pseudonymous suppression entry', () => {
    expect(ERASURE_RETAINED.map((kept) => kept.category)).toEqual(['consentProof', 'optOutSuppression']);
  });

  it('gives each kept category its legal reason', () => {
    const [ledger, suppression] = ERASURE_RETAINED;
    expect(ledger!.reason).toContain('Art. 7(1)');
    expect(ledger!.reason).toContain('Art. 17(3)(b)');
    expect(suppression!.reason).toContain('CTIA');
    expect(suppression!.reason).toContain('TCPA');
    expect(suppression!.reason).toContain('Art. 21(3)');
  });
});

describe('rectification changes', () => {
  it('refuses invalid changes with a 400 naming the field under changes', () => {
    const problem = problemFrom(() =>
      receiveDsr({
        tenantId: 'demo',
        requestId: 'req-3',
        subjectId: SUBJECT,
        regime: 'GDPR',
        receivedAt: new Date('2026-01-01T00:00:00Z'),
        verification: { method: 'email', reference: 'ticket-8' },
        type: 'rectification',
        // Not a zone of the enum: the type says so too, and the domain must refuse it at run time as well.
        changes: { timeZone: 'Mars/Olympus' as 'UTC' },
      }),
    );
    expect(problem.status).toBe(400);
    expect(problem.errors.map((error) => error.field)).toEqual(['changes.timeZone']);
  });
});

describe('DSR request schemas', () => {
  const valid = {
    type: 'access',
    phone: '+44 7400 123456',
    verification: { method: 'sms_otp', reference: 'otp-42' },
  };

  it('accepts an access request and a rectification with changes', () => {
    expect(createDsrRequest.safeParse(valid).success).toBe(true);
    expect(
      createDsrRequest.safeParse({
        ...valid,
        type: 'rectification',
        changes: { locale: 'fr-FR', topics: ['news'] },
      }).success,
    ).toBe(true);
  });

  it.each(['access', 'portability', 'erasure', 'restriction', 'objection'])(
    'refuses changes with type %s, naming the changes field',
    (type) => {
      const result = createDsrRequest.safeParse({ ...valid, type, changes: { locale: 'fr' } });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['changes']);
    },
  );

  it('refuses a rectification without changes, and with empty changes', () => {
    expect(createDsrRequest.safeParse({ ...valid, type: 'rectification' }).success).toBe(false);
    expect(createDsrRequest.safeParse({ ...valid, type: 'rectification', changes: {} }).success).toBe(false);
  });

  it('refuses an unknown verification method and an empty or over-long reference', () => {
    expect(
      createDsrRequest.safeParse({ ...valid, verification: { method: 'fax', reference: 'x' } }).success,
    ).toBe(false);
    expect(
      createDsrRequest.safeParse({ ...valid, verification: { method: 'email', reference: ' ' } }).success,
    ).toBe(false);
    expect(
      createDsrRequest.safeParse({ ...valid, verification: { method: 'email', reference: 'r'.repeat(201) } })
        .success,
    ).toBe(false);
  });

  it('refuses extra fields at the top level and inside verification', () => {
    expect(createDsrRequest.safeParse({ ...valid, subjectId: 'abc' }).success).toBe(false);
    expect(
      createDsrRequest.safeParse({ ...valid, verification: { ...valid.verification, verifiedBy: 'alice' } })
        .success,
    ).toBe(false);
  });

  it('refuses an unknown type and a phone made of letters', () => {
    expect(createDsrRequest.safeParse({ ...valid, type: 'deletion' }).success).toBe(false);
    expect(createDsrRequest.safeParse({ ...valid, phone: 'call me' }).success).toBe(false);
  });

  it('accepts an extension reason of 1 to 500 characters, not all blank, counted as sent (no trimming)', () => {
    expect(extendDsrRequest.parse({ reason: ' needs archive restore ' })).toEqual({
      reason: ' needs archive restore ',
    });
    expect(extendDsrRequest.safeParse({ reason: 'x'.repeat(500) }).success).toBe(true);
    expect(extendDsrRequest.safeParse({ reason: 'x'.repeat(501) }).success).toBe(false);
    // The document's maxLength is the length checked: 500 characters and a space are 501.
    expect(extendDsrRequest.safeParse({ reason: `${'x'.repeat(500)} ` }).success).toBe(false);
    expect(extendDsrRequest.safeParse({ reason: '   ' }).success).toBe(false);
    expect(extendDsrRequest.safeParse({ reason: 'ok', days: 90 }).success).toBe(false);
  });

  it('validates the extend response and refuses a non-ISO deadline', () => {
    expect(dsrExtended.safeParse({ extendedUntil: '2026-03-31T09:30:00.000Z' }).success).toBe(true);
    expect(dsrExtended.safeParse({ extendedUntil: 'next month' }).success).toBe(false);
  });

  it('turns into JSON Schema for the API Gateway request models and the OpenAPI document', () => {
    const draft4 = z.toJSONSchema(createDsrRequest, { target: 'draft-04', io: 'input' }) as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(draft4.required).toEqual(['type', 'phone', 'verification']);
    expect(draft4.additionalProperties).toBe(false);
    expect(() => z.toJSONSchema(dsrStatusView, { target: 'draft-2020-12', io: 'output' })).not.toThrow();
  });
});
