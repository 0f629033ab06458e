/**
 * One inbound SMS (DESIGN §4 Opt-out): classify it, keep it in the message log, count it as an interaction,
 * then act on its keyword. The deployed SQS consumer and the local `/_local/inbound` route both call this.
 * Free of any AWS SDK: every store and the sender are ports.
 */
import { recordOptIn, recordOptOut, type ConsentDeps } from './consent';
import { countSegments } from './content-policy';
import { classifyInbound, type InboundClassification } from './keywords';
import { sendMessage, sendReplyUnlessOptedOut, type SendDeps } from './messages';
import { normalizeE164 } from './phone';
import { helpReply, optInConfirmation, optOutConfirmation } from './replies';
import { expiresAt } from './retention';
import type { SubscriberStore } from './subscribers';

export interface InboundDeps extends SendDeps, ConsentDeps {
  readonly subscribers: SubscriberStore;
}

export interface InboundMessage {
  /**
   * The provider's id of the inbound message, stable across redeliveries: a redelivered message is logged once
   * and finishes what its first delivery left undone, without a second opt-out confirmation.
   */
  readonly messageId: string;
  readonly tenantId: string;
  /** The sender's number, in any format `normalizeE164` accepts. */
  readonly from: string;
  readonly body: string;
  /** When the provider received it; stable across redeliveries too. */
  readonly at: Date;
  /**
   * The number it was sent to is one whose carrier answers STOP itself (a US toll-free number): the opt-out is
   * recorded, and optline sends no confirmation of its own, so the subscriber gets one. @default false
   */
  readonly carrierAnswersStop?: boolean;
}

export type InboundOutcome = 'opted_out' | 'opted_in' | 'help' | 'none';

export interface InboundResult {
  readonly action: InboundOutcome;
  /** The keyword matched, for logs and metrics (never the body). @default - none */
  readonly keyword?: string;
}

export async function processInbound(deps: InboundDeps, message: InboundMessage): Promise<InboundResult> {
  const { tenantId, at } = message;
  const e164 = normalizeE164(message.from, { field: 'from' });
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new Error(`Tenant ${tenantId} has no settings`);
  const subjectId = await deps.subjectIds.derive(tenantId, e164);
  const classification: InboundClassification = classifyInbound(message.body);

  await deps.messages.log({
    tenantId,
    subjectId,
    messageId: message.messageId,
    direction: 'inbound',
    // Inbound traffic is conversational, never marketing.
    category: 'transactional',
    phone: e164,
    body: message.body,
    channel: tenant.channel.channel,
    status: 'received',
    segments: countSegments(message.body).segments,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    expiresAt: expiresAt('messageTraffic', at),
  });
  const subscriber = await deps.subscribers.get(tenantId, subjectId, at);
  // A reply is an interaction: it moves the inactivity purge forward (never back) for a known subscriber.
  if (subscriber) await deps.subscribers.recordInteraction(tenantId, subjectId, at, deps.clock());
  const locale = subscriber?.locale;
  const reply = async (category: 'opt_out_confirmation' | 'help', body: string) => {
    await sendMessage(deps, tenantId, { to: e164, body, category }, { internal: true, field: 'from' });
  };
  const { keyword } = classification;
  const change = {
    subjectId,
    e164,
    source: 'keyword',
    evidence: keyword === undefined ? {} : { keyword },
    causeId: message.messageId,
    sentAt: at,
  } as const;

  switch (classification.action) {
    case 'opt_out': {
      const { confirmationDue, scope } = await recordOptOut(deps, tenantId, change, at);
      // Exactly one confirmation: a STOP from someone already suppressed gets none, and a redelivered STOP
      // gets one only if its first delivery stopped before the confirmation went out.
      if (confirmationDue) {
        if (!message.carrierAnswersStop) {
          await reply('opt_out_confirmation', optOutConfirmation(tenant.brand, locale));
        }
        await deps.consent.markConfirmed(tenantId, subjectId, scope, deps.clock());
      }
      return { action: 'opted_out', keyword };
    }
    case 'help':
      await reply('help', helpReply(tenant, locale));
      return { action: 'help', keyword };
    case 'opt_in': {
      const { outcome } = await recordOptIn(deps, tenantId, change, at);
      if (outcome === 'unchanged') return { action: 'none', keyword };
      // An opt-out that committed after this opt-in has the last word: it gets no confirmation then.
      const confirmation = await sendReplyUnlessOptedOut(
        deps,
        tenantId,
        { to: e164, body: optInConfirmation(tenant.brand, locale), category: 'transactional' },
        'from',
      );
      return { action: confirmation === 'sent' ? 'opted_in' : 'none', keyword };
    }
    case 'none':
      return { action: 'none' };
  }
}
