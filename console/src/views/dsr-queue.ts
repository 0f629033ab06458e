/**
 * The tenant's data-subject requests, soonest deadline first. Due-soon and overdue requests are marked with a
 * word and a symbol as well as a colour, so the state reaches readers who cannot tell the colours apart.
 */
import { problemText, type Answer } from '../api';
import { confirmAction } from '../dialog';
import { announce, formatTime, h } from '../dom';
import type { PageContext } from './context';

type DsrItem = Answer<'listDsrs'>['requests'][number];
type DsrStatus = DsrItem['status'];

const STATUS_FILTER: Readonly<Record<DsrStatus | '', string>> = {
  '': 'Any status',
  received: 'Received',
  in_progress: 'In progress',
  completed: 'Completed',
  rejected: 'Rejected',
};

const DEADLINE_LABELS: Readonly<Record<DsrItem['deadline'], string>> = {
  on_time: '',
  due_soon: '⚠ Due soon',
  overdue: '⛔ Overdue',
};

const EXPORT_TYPES: ReadonlySet<DsrItem['type']> = new Set(['access', 'portability']);

export function dsrQueuePage(ctx: PageContext): HTMLElement {
  const status = h('div', { role: 'status', class: 'notice', 'aria-live': 'polite' });
  const filter = h(
    'select',
    { id: 'dsr-status', on: { change: () => void reload() } },
    ...Object.entries(STATUS_FILTER).map(([value, text]) => h('option', { value }, text)),
  );
  const body = h('tbody');
  const more = h(
    'button',
    { type: 'button', class: 'secondary', on: { click: () => void loadPage() } },
    'More',
  );
  more.hidden = true;
  let cursor: string | undefined;

  async function reload(message?: string): Promise<void> {
    body.replaceChildren();
    cursor = undefined;
    await loadPage(message);
  }

  async function loadPage(message?: string): Promise<void> {
    announce(status, 'Loading…');
    const chosen = filter.value as DsrStatus | '';
    const { data, error, response } = await ctx.api.GET('/v1/dsr', {
      params: { query: { ...(chosen ? { status: chosen } : {}), ...(cursor ? { cursor } : {}), limit: 25 } },
    });
    if (!data) return announce(status, problemText(error, response), 'error');
    body.append(...data.requests.map(row));
    cursor = data.nextCursor;
    more.hidden = cursor === undefined;
    const shown = body.childElementCount;
    announce(
      status,
      message ?? (shown === 0 ? 'No requests.' : `${shown} request${shown === 1 ? '' : 's'} shown.`),
    );
  }

  function row(item: DsrItem): HTMLElement {
    const open = item.status === 'received' || item.status === 'in_progress';
    const deadline = DEADLINE_LABELS[item.deadline];
    const actions = h('td', {});
    if (ctx.canManage && open && !item.extendedUntil) {
      actions.append(
        h(
          'button',
          { type: 'button', class: 'secondary', on: { click: () => void extend(item) } },
          'Extend',
          h('span', { class: 'visually-hidden' }, ` request ${shortId(item.requestId)}`),
        ),
      );
    }
    if (item.status === 'completed' && EXPORT_TYPES.has(item.type)) {
      actions.append(
        h(
          'button',
          { type: 'button', class: 'secondary', on: { click: () => void download(item, actions) } },
          'Get export',
          h('span', { class: 'visually-hidden' }, ` of request ${shortId(item.requestId)}`),
        ),
      );
    }
    return h(
      'tr',
      { class: item.deadline },
      h('th', { scope: 'row' }, h('code', {}, shortId(item.requestId))),
      h('td', {}, item.type),
      h('td', {}, item.status.replace(/_/g, ' ')),
      h('td', {}, formatTime(item.receivedAt)),
      h(
        'td',
        {},
        formatTime(item.extendedUntil ?? item.dueAt),
        item.extendedUntil ? ' (extended)' : null,
        deadline ? h('span', {}, ' ', h('span', { class: `badge badge-${item.deadline}` }, deadline)) : null,
      ),
      actions,
    );
  }

  async function extend(item: DsrItem): Promise<void> {
    const values = await confirmAction({
      title: 'Extend the deadline',
      message: 'A request can be extended once. The reason is told to the data subject.',
      confirmLabel: 'Extend',
      fields: [{ name: 'reason', label: 'Reason for the extension' }],
    });
    if (!values) return;
    const { data, error, response } = await ctx.api.POST('/v1/dsr/{id}/extend', {
      params: { path: { id: item.requestId } },
      body: { reason: values.reason ?? '' },
    });
    if (!data) return announce(status, problemText(error, response), 'error');
    await reload(`Extended until ${formatTime(data.extendedUntil)}.`);
  }

  /** A download link lasts minutes, so it is asked for when wanted, not when the list loads. */
  async function download(item: DsrItem, cell: HTMLElement): Promise<void> {
    const { data, error, response } = await ctx.api.GET('/v1/dsr/{id}', {
      params: { path: { id: item.requestId } },
    });
    const url = data?.result?.downloadUrl;
    if (!url)
      return announce(status, data ? 'The export has expired.' : problemText(error, response), 'error');
    const link = h('a', { href: url, download: `export-${item.requestId}.json` }, 'Download export');
    cell.replaceChildren(link);
    link.focus();
  }

  const page = h(
    'div',
    {},
    h('h1', {}, 'Data-subject requests'),
    h('div', { class: 'filters' }, h('label', { for: 'dsr-status' }, 'Status'), filter),
    status,
    h(
      'div',
      { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'dsr-caption' },
      h(
        'table',
        {},
        h('caption', { id: 'dsr-caption' }, 'Requests by deadline, soonest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Request', 'Type', 'Status', 'Received', 'Due', 'Actions'].map((column) =>
              h('th', { scope: 'col' }, column),
            ),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  void reload();
  return page;
}

const shortId = (id: string): string => id.slice(0, 8);
