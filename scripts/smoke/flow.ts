/**
 * The smoke test's one end-to-end flow (DESIGN §9), the same against a deployed cell and against `npm start`:
 * subscribe, send, delivered, the failure number failed, opt-out, a send refused, DSR access and its download,
 * erasure. Each step logs one line when it passes; the first one that does not throws {@link SmokeStepFailed}
 * with what it expected and what came back.
 *
 * It sends only to End User Messaging's US destination simulator numbers, public test numbers that never reach
 * a handset. Deployed, the tenant must send through End User Messaging from a simulator origination number, so
 * nothing goes to a carrier; locally the outbox plays the simulator.
 */
import { randomUUID } from 'node:crypto';
import type { RequestBody } from '../../client';
import { US_SIMULATOR_DESTINATIONS } from '../../lambdas/adapters/sms/simulator-destinations';
import { PROBLEM_TYPE_PREFIX } from '../../lambdas/shared/problem';
import { download, smokeClient, type Download, type Fetch, type SmokeTarget } from './api-client';

const SUCCESS = US_SIMULATOR_DESTINATIONS.success;
const FAILURE = US_SIMULATOR_DESTINATIONS.failure;

/**
 * The flow opts the success number out of this topic, not of every message. An opt-out of every message is
 * mirrored to the cell's End User Messaging opt-out list, and the next run's subscribe takes the number off it
 * again; but "each destination phone number can only be deleted once every 30 days"
 * (https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_DeleteOptedOutNumber.html), so a
 * third run within 30 days would find the provider refusing every send to it. A topic opt-out is optline's
 * alone, and the refusal it causes is the same 422.
 */
export const SMOKE_TOPIC = 'smoke-test';

export interface SmokeFlowOptions {
  /** Receives one line per step that passed. */
  readonly log: (line: string) => void;
  /** How long a step waits for something that happens in the background (a delivery event, a DSR). */
  readonly waitMs: number;
  /** Pause between two reads while waiting. @default 500 */
  readonly pollMs?: number;
  /** @default - the global fetch */
  readonly fetch?: Fetch;
}

/** A step did not get what it expected. */
export class SmokeStepFailed extends Error {
  override readonly name = 'SmokeStepFailed';
  constructor(
    readonly step: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${step}: expected ${expected}; got ${received}`);
  }
}

/** The steps, in order. */
export const SMOKE_STEPS = [
  'subscribe',
  'send',
  'delivered',
  'failure number',
  'opt-out',
  'send refused',
  'DSR access',
  'download export',
  'erasure',
] as const;
export type SmokeStep = (typeof SMOKE_STEPS)[number];

type Json = Record<string, unknown>;
const asJson = (body: unknown): Json => (typeof body === 'object' && body !== null ? (body as Json) : {});

/** What the typed client gives back for one call: `data` on a documented success, `error` otherwise. */
interface Outcome<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** An answer as the failure report shows it: status and the start of the body. */
const shown = (status: number, body: unknown): string => {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const cut = text.length > 600 ? `${text.slice(0, 600)}…` : text;
  return `HTTP ${status}${cut === '' ? '' : ` ${cut}`}`;
};
const shownOutcome = (outcome: Outcome<unknown>): string =>
  shown(outcome.response.status, outcome.data ?? outcome.error);

export async function runSmokeFlow(target: SmokeTarget, options: SmokeFlowOptions): Promise<void> {
  const api = smokeClient(target, options.fetch);
  const fetchFile = (url: string): Promise<Download> => download(url, options.fetch);
  const pollMs = options.pollMs ?? 500;
  let stepNumber = 0;
  const pass = (step: SmokeStep, detail: string): void => {
    stepNumber += 1;
    options.log(`ok ${stepNumber}/${SMOKE_STEPS.length} ${step}: ${detail}`);
  };

  /** Checks a success's status and, optionally, its body; returns the body. */
  const expectData = <T>(
    step: SmokeStep,
    outcome: Outcome<T>,
    statuses: readonly number[],
    check?: { expected: string; holds: (data: T) => boolean },
  ): T => {
    const expected = `HTTP ${statuses.join(' or ')}${check ? ` with ${check.expected}` : ''}`;
    const { data, response } = outcome;
    if (!statuses.includes(response.status) || data === undefined || (check && !check.holds(data))) {
      throw new SmokeStepFailed(step, expected, shownOutcome(outcome));
    }
    return data;
  };

  /** Checks a refusal's status and, optionally, its problem type. */
  const expectProblem = (step: SmokeStep, outcome: Outcome<unknown>, status: number, type?: string): void => {
    const expected = `HTTP ${status}${type ? ` with type ${type}` : ''}`;
    if (outcome.response.status !== status || (type && asJson(outcome.error).type !== type)) {
      throw new SmokeStepFailed(step, expected, shownOutcome(outcome));
    }
  };

  /** Reads until `state` says done; a final wrong answer fails at once, and so does running out of time. */
  const waitFor = async <T>(
    step: SmokeStep,
    expected: string,
    read: () => Promise<Outcome<T>>,
    state: (outcome: Outcome<T>) => 'done' | 'wait' | 'wrong',
  ): Promise<T> => {
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      const outcome = await read();
      const verdict = state(outcome);
      if (verdict === 'done' && outcome.data !== undefined) return outcome.data;
      if (verdict !== 'wait') throw new SmokeStepFailed(step, expected, shownOutcome(outcome));
      if (Date.now() >= deadline) {
        throw new SmokeStepFailed(
          step,
          `${expected} within ${Math.round(options.waitMs / 1000)} s`,
          `still ${shownOutcome(outcome)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  const send = (message: RequestBody<'sendMessage'>) =>
    api.POST('/v1/messages', { body: message, params: { header: { 'Idempotency-Key': randomUUID() } } });

  /** Waits until a message reaches a final status and checks it is `want`. */
  const finalStatus = (step: SmokeStep, messageId: string, want: 'delivered' | 'failed') =>
    waitFor(
      step,
      `GET /v1/messages/${messageId} to say status "${want}"`,
      () => api.GET('/v1/messages/{messageId}', { params: { path: { messageId } } }),
      ({ data, response }) => {
        if (response.status === 200 && data?.status === want) return 'done';
        // 404 is allowed briefly: the message index is read eventually consistent.
        if ((response.status === 200 && data?.status === 'sent') || response.status === 404) return 'wait';
        return 'wrong';
      },
    );

  /** Files a DSR and waits until it is completed. */
  const dsr = async (step: SmokeStep, type: 'access' | 'erasure', phone: string) => {
    const accepted = expectData(
      step,
      await api.POST('/v1/dsr', {
        body: { type, phone, verification: { method: 'other', reference: `optline smoke test ${type}` } },
      }),
      [202],
      { expected: 'a requestId', holds: (body) => typeof body.requestId === 'string' },
    );
    const { requestId } = accepted;
    const done = await waitFor(
      step,
      `GET /v1/dsr/${requestId} to say status "completed"`,
      () => api.GET('/v1/dsr/{id}', { params: { path: { id: requestId } } }),
      ({ data, response }) => {
        if (response.status === 200 && data?.status === 'completed') return 'done';
        if (response.status === 200 && (data?.status === 'received' || data?.status === 'in_progress')) {
          return 'wait';
        }
        return 'wrong';
      },
    );
    return { ...done, requestId };
  };

  // 1. Both simulator numbers subscribe with consent evidence. 200 means an earlier run left one subscribed.
  const subscribed: string[] = [];
  for (const phone of [SUCCESS, FAILURE]) {
    const answer = await api.POST('/v1/subscribers', {
      body: { phone, consent: { source: 'api', noticeVersion: 'smoke-test' }, topics: [SMOKE_TOPIC] },
    });
    expectData('subscribe', answer, [201, 200], {
      expected: 'status "active"',
      holds: (body) => body.status === 'active',
    });
    subscribed.push(`${phone} ${answer.response.status} active`);
  }
  pass('subscribe', subscribed.join(', '));

  // 2. and 3. A send to the success number is accepted, and its delivery event marks it delivered.
  const sent = expectData(
    'send',
    await send({ to: SUCCESS, body: 'optline smoke test: delivered', category: 'transactional' }),
    [202],
    {
      expected: 'status "sent"',
      holds: (body) => body.status === 'sent' && typeof body.messageId === 'string',
    },
  );
  const deliveredId = sent.messageId;
  pass('send', `${SUCCESS} 202 sent, message ${deliveredId}`);
  await finalStatus('delivered', deliveredId, 'delivered');
  pass('delivered', `message ${deliveredId} delivered (delivery event applied)`);

  // 4. The failure number: accepted, then its failure event marks it failed.
  const toFail = expectData(
    'failure number',
    await send({ to: FAILURE, body: 'optline smoke test: failure', category: 'transactional' }),
    [202],
    {
      expected: 'status "sent"',
      holds: (body) => body.status === 'sent' && typeof body.messageId === 'string',
    },
  );
  const failedId = toFail.messageId;
  await finalStatus('failure number', failedId, 'failed');
  pass('failure number', `${FAILURE} 202 sent, then message ${failedId} failed (failure event applied)`);

  // 5. and 6. An opt-out through the API, and a send it covers is refused before anything goes out.
  const optOut = expectData(
    'opt-out',
    await api.POST('/v1/opt-outs', { body: { phone: SUCCESS, scope: SMOKE_TOPIC } }),
    [200],
    { expected: 'suppressed: true', holds: (body) => body.suppressed === true },
  );
  pass('opt-out', `${SUCCESS} opted out of topic ${SMOKE_TOPIC} (since ${optOut.since})`);
  const refusedType = `${PROBLEM_TYPE_PREFIX}recipient-opted-out`;
  expectProblem(
    'send refused',
    await send({
      to: SUCCESS,
      body: 'optline smoke test: refused',
      category: 'marketing',
      topic: SMOKE_TOPIC,
    }),
    422,
    refusedType,
  );
  pass('send refused', `422 ${refusedType}`);

  // 7. and 8. An access request completes with a download URL, and the file is this subject's export.
  const access = await dsr('DSR access', 'access', SUCCESS);
  const downloadUrl = access.result?.downloadUrl;
  if (downloadUrl === undefined) {
    throw new SmokeStepFailed('DSR access', 'result.downloadUrl', JSON.stringify(access));
  }
  pass('DSR access', `request ${access.requestId} completed with a download URL`);
  const file = await fetchFile(downloadUrl);
  const document = asJson(file.body);
  const messages = Array.isArray(document.messages) ? document.messages : [];
  if (
    file.status !== 200 ||
    document.requestId !== access.requestId ||
    !messages.some((message) => asJson(message).messageId === deliveredId)
  ) {
    throw new SmokeStepFailed(
      'download export',
      `HTTP 200 with requestId ${access.requestId} and message ${deliveredId} in messages[]`,
      shown(file.status, file.text),
    );
  }
  pass('download export', `export of request ${access.requestId} holds message ${deliveredId}`);

  // 9. Erasure of both numbers: each completes, keeps the consent proof, and the profile and export are gone.
  const erased: string[] = [];
  for (const phone of [SUCCESS, FAILURE]) {
    const erasure = await dsr('erasure', 'erasure', phone);
    const kept = (erasure.result?.retained ?? []).map((entry) => entry.category);
    if (!kept.includes('consentProof')) {
      throw new SmokeStepFailed('erasure', 'result.retained[] to list consentProof', JSON.stringify(erasure));
    }
    expectProblem('erasure', await api.GET('/v1/subscribers/{phone}', { params: { path: { phone } } }), 404);
    erased.push(`${phone} (kept: ${kept.join(', ')})`);
  }
  const gone = await fetchFile(downloadUrl);
  if (gone.status === 200) {
    throw new SmokeStepFailed(
      'erasure',
      'the earlier export no longer downloadable',
      shown(gone.status, gone.text),
    );
  }
  pass('erasure', `${erased.join('; ')}; profiles 404, export file gone (${gone.status})`);
}
