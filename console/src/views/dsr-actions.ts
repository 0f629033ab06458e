/**
 * Opening a data-subject request from the subscriber page, and following it to its result: an export to
 * download, or what an erasure kept and why.
 */
import type { RequestBody } from '../../../client';
import { problemText } from '../api';
import { confirmAction, type DialogField } from '../dialog';
import { formatTime, h } from '../dom';
import type { PageContext } from './context';

type CreateDsr = RequestBody<'createDsr'>;
type DsrType = CreateDsr['type'];
type VerificationMethod = CreateDsr['verification']['method'];

const VERIFICATION_METHODS: Readonly<Record<VerificationMethod, string>> = {
  sms_otp: 'One-time code by SMS',
  email: 'Email',
  account_login: 'Signed in to their account',
  document: 'Document checked',
  other: 'Other',
};

/** Asked for every request: GDPR Art. 12(6) lets the controller ask the requester to prove who they are. */
const VERIFICATION_FIELDS: readonly DialogField[] = [
  { name: 'method', label: 'How the requester was verified', type: 'select', options: VERIFICATION_METHODS },
  {
    name: 'reference',
    label: 'Verification reference',
    hint: 'Where the proof is kept, such as a ticket number; never a copy of an identity document.',
  },
];

interface DsrAction {
  readonly type: DsrType;
  readonly button: string;
  readonly title: string;
  readonly message: string;
  readonly danger?: boolean;
  readonly fields?: readonly DialogField[];
}

const ACTIONS: readonly DsrAction[] = [
  {
    type: 'access',
    button: 'Request export',
    title: 'Export this subscriber’s data',
    message: 'An access request gathers everything held about this number into one file to download.',
  },
  {
    type: 'erasure',
    button: 'Erase',
    title: 'Erase this subscriber',
    message:
      'Erasure deletes the profile, messages and marketing data. The consent history and the pseudonymous ' +
      'opt-out stay, as the law requires. This cannot be undone.',
    danger: true,
  },
  {
    type: 'rectification',
    button: 'Rectify',
    title: 'Correct this subscriber’s profile',
    message: 'Fill in only what needs correcting.',
    fields: [
      { name: 'locale', label: 'Locale', required: false, hint: 'Such as en-GB' },
      { name: 'timeZone', label: 'Time zone', required: false, hint: 'Such as Europe/London' },
    ],
  },
  {
    type: 'restriction',
    button: 'Restrict',
    title: 'Restrict processing',
    message: 'A restricted subscriber is kept but sent nothing until the restriction is lifted.',
  },
];

const POLL_INTERVAL_MS = 1500;
const POLL_LIMIT = 80;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The buttons, and the list of requests opened from them. `onChanged` reloads the subscriber once a request
 * has done its work.
 */
export function dsrActions(ctx: PageContext, phone: string, onChanged: () => void): HTMLElement {
  const opened = h('ul', { class: 'requests' });
  const buttons = ACTIONS.map((action) =>
    h(
      'button',
      {
        type: 'button',
        class: action.danger ? 'danger' : 'secondary',
        on: { click: () => void open(action) },
      },
      action.button,
    ),
  );

  async function open(action: DsrAction): Promise<void> {
    const values = await confirmAction({
      title: action.title,
      message: action.message,
      confirmLabel: action.button,
      danger: action.danger ?? false,
      fields: [...VERIFICATION_FIELDS, ...(action.fields ?? [])],
    });
    if (!values) return;
    const changes = Object.fromEntries(
      ['locale', 'timeZone'].filter((name) => values[name]).map((name) => [name, values[name]!]),
    );
    const item = h('li', {}, `${action.button}: sending…`);
    opened.append(item);
    const { data, error, response } = await ctx.api.POST('/v1/dsr', {
      body: {
        type: action.type,
        phone,
        verification: { method: values.method as VerificationMethod, reference: values.reference ?? '' },
        ...(action.type === 'rectification' ? { changes: changes as CreateDsr['changes'] } : {}),
      },
    });
    if (!data) {
      item.textContent = `${action.button}: refused. ${problemText(error, response)}`;
      return;
    }
    item.textContent = `${action.button}: received, due ${formatTime(data.dueAt)}. Working…`;
    await follow(action, data.requestId, item);
  }

  async function follow(action: DsrAction, id: string, item: HTMLElement): Promise<void> {
    for (let attempt = 0; attempt < POLL_LIMIT; attempt++) {
      await delay(POLL_INTERVAL_MS);
      const { data, error, response } = await ctx.api.GET('/v1/dsr/{id}', { params: { path: { id } } });
      if (!data) {
        item.textContent = `${action.button}: could not be followed. ${problemText(error, response)}`;
        return;
      }
      if (data.status === 'received' || data.status === 'in_progress') continue;
      item.replaceChildren(`${action.button}: ${data.status} ${formatTime(data.completedAt)}.`);
      const download = data.result?.downloadUrl;
      if (download) {
        item.append(' ', h('a', { href: download, download: `export-${id}.json` }, 'Download export'));
      }
      const retained = data.result?.retained ?? [];
      if (retained.length > 0) {
        item.append(
          h('p', {}, 'Kept, as the law requires:'),
          h('ul', {}, ...retained.map((kept) => h('li', {}, kept.reason))),
        );
      }
      onChanged();
      return;
    }
    item.textContent = `${action.button}: still being worked on; see Data-subject requests.`;
  }

  return h(
    'section',
    { 'aria-labelledby': 'dsr-actions-heading' },
    h('h2', { id: 'dsr-actions-heading' }, 'Data-subject actions'),
    h('div', { class: 'actions' }, ...buttons),
    opened,
  );
}
