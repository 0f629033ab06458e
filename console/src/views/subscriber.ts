/**
 * The subscriber page: look a number up and see what is held about it, place or lift a legal hold, and act on
 * the data subject's rights. The number stays in the page's memory: it is never put in the address bar, where
 * it would reach the history and the server's logs.
 */
import { problemText, type Answer } from '../api';
import { confirmAction } from '../dialog';
import { announce, formatTime, h } from '../dom';
import type { PageContext } from './context';
import { dsrActions } from './dsr-actions';

type Profile = Answer<'getSubscriber'>;
type ConsentEvent = Answer<'listConsentEvents'>['events'][number];
type MessagePage = Answer<'listSubscriberMessages'>;

const CONSENT_EVENTS: Readonly<Record<ConsentEvent['type'], string>> = {
  opt_in: 'Opted in',
  opt_in_confirmed: 'Confirmed the opt-in',
  opt_out: 'Opted out',
  re_opt_in: 'Opted in again',
};

/** Recent messages: one page, newest first; older ones are a DSR export away. */
const RECENT_MESSAGES = 20;

export function subscriberPage(ctx: PageContext): HTMLElement {
  const input = h('input', {
    id: 'phone',
    type: 'tel',
    name: 'phone',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'phone-hint',
  });
  const status = h('div', { role: 'status', class: 'notice', 'aria-live': 'polite' });
  const details = h('div');
  const actions = h('div');
  let phone = '';

  const form = h(
    'form',
    { role: 'search', class: 'lookup', on: { submit: (event) => (event.preventDefault(), void lookUp()) } },
    h('label', { for: 'phone' }, 'Phone number'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Look up'),
    h('p', { id: 'phone-hint', class: 'hint' }, 'In international format, such as +447400123456.'),
  );

  async function lookUp(): Promise<void> {
    phone = input.value.replace(/[\s()-]/g, '');
    if (!phone) return;
    actions.replaceChildren(
      ...(ctx.canManage ? [dsrActions(ctx, phone, () => void load('Updated after the request.'))] : []),
    );
    await load();
  }

  async function load(message?: string): Promise<void> {
    announce(status, 'Loading…');
    const path = { params: { path: { phone } } };
    const [profile, optOut, consent, messages] = await Promise.all([
      ctx.api.GET('/v1/subscribers/{phone}', path),
      ctx.api.GET('/v1/opt-outs/{phone}', path),
      ctx.api.GET('/v1/subscribers/{phone}/consent-events', path),
      ctx.api.GET('/v1/subscribers/{phone}/messages', {
        params: { path: { phone }, query: { limit: RECENT_MESSAGES } },
      }),
    ]);
    if (profile.response.status !== 404 && !profile.data) {
      details.replaceChildren();
      return announce(status, problemText(profile.error, profile.response), 'error');
    }
    const sections: HTMLElement[] = [];
    sections.push(profileSection(profile.data));
    if (profile.data) sections.push(legalHoldSection(profile.data));
    // The consent history and the opt-out outlive the profile: they are kept after erasure (DESIGN §2).
    // A number the tenant never held answers 404: an empty history, shown as such.
    if (consent.data || consent.response.status === 404)
      sections.push(consentSection(consent.data?.events ?? []));
    if (optOut.data) sections.push(suppressionSection(optOut.data));
    if (messages.data) sections.push(messagesSection(messages.data));
    details.replaceChildren(...sections);
    announce(status, message ?? (profile.data ? 'Subscriber found.' : 'No profile is held for this number.'));
  }

  function legalHoldSection(profile: Profile): HTMLElement {
    const hold = profile.legalHold;
    const button = !ctx.canManage
      ? null
      : hold
        ? h(
            'button',
            { type: 'button', class: 'secondary', on: { click: () => void lift() } },
            'Lift legal hold',
          )
        : h(
            'button',
            { type: 'button', class: 'secondary', on: { click: () => void place() } },
            'Place legal hold',
          );
    return h(
      'section',
      { 'aria-labelledby': 'hold-heading' },
      h('h2', { id: 'hold-heading' }, 'Legal hold'),
      hold
        ? h('p', {}, `Held since ${formatTime(hold.since)}: ${hold.reason}. The profile does not expire.`)
        : h('p', {}, 'Not held. The profile expires on schedule.'),
      button,
    );
  }

  async function place(): Promise<void> {
    const values = await confirmAction({
      title: 'Place a legal hold',
      message: 'A held profile is never purged until the hold is lifted.',
      confirmLabel: 'Place legal hold',
      fields: [{ name: 'reason', label: 'Reason', hint: 'Such as a case reference.' }],
    });
    if (!values) return;
    const { error, response } = await ctx.api.PUT('/v1/subscribers/{phone}/legal-hold', {
      params: { path: { phone } },
      body: { reason: values.reason ?? '' },
    });
    if (!response.ok) return announce(status, problemText(error, response), 'error');
    await load('Legal hold placed.');
  }

  async function lift(): Promise<void> {
    const confirmed = await confirmAction({
      title: 'Lift the legal hold',
      message: 'The profile will expire again 36 months after the last interaction.',
      confirmLabel: 'Lift legal hold',
    });
    if (!confirmed) return;
    const { error, response } = await ctx.api.DELETE('/v1/subscribers/{phone}/legal-hold', {
      params: { path: { phone } },
    });
    if (!response.ok) return announce(status, problemText(error, response), 'error');
    await load('Legal hold lifted.');
  }

  return h('div', {}, h('h1', {}, 'Subscriber'), form, status, details, actions);
}

function profileSection(profile: Profile | undefined): HTMLElement {
  const rows: [string, string][] = profile
    ? [
        ['Number', profile.phone],
        ['Status', profile.status.replace(/_/g, ' ')],
        ['Topics', profile.topics.join(', ') || 'none'],
        ['Locale', profile.locale ?? '–'],
        ['Time zone', profile.timeZone ?? '–'],
        ['Subscribed', formatTime(profile.createdAt)],
        ['Last interaction', formatTime(profile.lastInteractionAt)],
        ['Expires', profile.legalHold ? 'never while held' : formatTime(profile.expiresAt)],
      ]
    : [];
  return h(
    'section',
    { 'aria-labelledby': 'profile-heading' },
    h('h2', { id: 'profile-heading' }, 'Profile'),
    profile
      ? h(
          'dl',
          { class: 'facts' },
          ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
        )
      : h('p', {}, 'No profile: never subscribed, erased, or expired.'),
  );
}

function suppressionSection(state: { suppressed: boolean; since?: string; scopes: string[] }): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'suppression-heading' },
    h('h2', { id: 'suppression-heading' }, 'Suppressions'),
    state.suppressed
      ? h('p', {}, `Opted out since ${formatTime(state.since)}, of: ${state.scopes.join(', ')}.`)
      : h('p', {}, 'Not opted out.'),
  );
}

function consentSection(events: readonly ConsentEvent[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'consent-heading' },
    h('h2', { id: 'consent-heading' }, 'Consent history'),
    events.length === 0
      ? h('p', {}, 'No consent on record.')
      : h(
          'ol',
          { class: 'timeline', 'aria-label': 'Consent events, newest first' },
          ...events.map((event) =>
            h(
              'li',
              {},
              h('strong', {}, CONSENT_EVENTS[event.type]),
              ` (${event.scope === 'all' ? 'everything' : `topic ${event.scope}`}) `,
              h('time', { datetime: event.at }, formatTime(event.at)),
              h('br'),
              `through ${event.source.replace(/_/g, ' ')}`,
              event.evidence.keyword ? `, keyword “${event.evidence.keyword}”` : '',
              event.evidence.noticeVersion ? `, notice ${event.evidence.noticeVersion}` : '',
            ),
          ),
        ),
  );
}

function messagesSection(page: MessagePage): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'messages-heading' },
    h('h2', { id: 'messages-heading' }, 'Recent messages'),
    page.messages.length === 0
      ? h('p', {}, 'No messages in the last six months.')
      : h(
          'div',
          { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'messages-heading' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['When', 'Direction', 'Category', 'Status', 'Text'].map((column) =>
                  h('th', { scope: 'col' }, column),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...page.messages.map((message) =>
                h(
                  'tr',
                  {},
                  h('td', {}, formatTime(message.createdAt)),
                  h('td', {}, message.direction),
                  h('td', {}, message.category.replace(/_/g, ' ')),
                  h('td', {}, message.status),
                  h('td', {}, message.body),
                ),
              ),
            ),
          ),
        ),
    page.nextCursor ? h('p', { class: 'hint' }, 'Older messages are in the export.') : null,
  );
}
