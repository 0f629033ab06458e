/**
 * Daily activity from the anonymised aggregates (counts only, no subject: they survive erasure, MessageBird
 * 8.4). Each measure is an SVG bar chart that names itself, with the same numbers in a table beside it, so the
 * figures reach readers who cannot see the chart.
 */
import { problemText, type Answer } from '../api';
import { announce, h, svg } from '../dom';
import type { PageContext } from './context';

type Day = Answer<'getDailyStats'>['days'][number];
type Measure = Exclude<keyof Day, 'date'>;

const CHARTS: readonly { readonly title: string; readonly measures: readonly Measure[] }[] = [
  { title: 'Messages sent', measures: ['sent'] },
  { title: 'Deliveries and failures', measures: ['delivered', 'failed'] },
  { title: 'Opt-outs and opt-ins', measures: ['optOuts', 'optIns'] },
  { title: 'Data-subject requests', measures: ['dsrReceived', 'dsrCompleted'] },
];

const MEASURE_NAMES: Readonly<Record<Measure, string>> = {
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
  inbound: 'Inbound',
  optOuts: 'Opt-outs',
  optIns: 'Opt-ins',
  dsrReceived: 'Requests received',
  dsrCompleted: 'Requests completed',
};

const DAY_MS = 86_400_000;
const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

export function activityPage(ctx: PageContext): HTMLElement {
  const today = new Date();
  const from = h('input', {
    id: 'from',
    type: 'date',
    value: isoDay(new Date(today.getTime() - 13 * DAY_MS)),
  });
  const to = h('input', { id: 'to', type: 'date', value: isoDay(today) });
  const status = h('div', { role: 'status', class: 'notice', 'aria-live': 'polite' });
  const charts = h('div', { class: 'charts' });

  async function load(): Promise<void> {
    announce(status, 'Loading…');
    const { data, error, response } = await ctx.api.GET('/v1/stats/daily', {
      params: { query: { from: from.value, to: to.value } },
    });
    if (!data) return announce(status, problemText(error, response), 'error');
    charts.replaceChildren(
      ...CHARTS.map((chart, i) => figure(`chart-${i}`, chart.title, chart.measures, data.days)),
    );
    announce(status, `${data.days.length} days shown.`);
  }

  const form = h(
    'form',
    { class: 'filters', on: { submit: (event) => (event.preventDefault(), void load()) } },
    h('label', { for: 'from' }, 'From'),
    from,
    h('label', { for: 'to' }, 'To'),
    to,
    h('button', { type: 'submit', class: 'secondary' }, 'Show'),
  );
  void load();
  return h(
    'div',
    {},
    h('h1', {}, 'Activity'),
    h(
      'p',
      {},
      'Counts per day (UTC). They hold no phone number or subject, and outlive the data they count.',
    ),
    form,
    status,
    charts,
  );
}

const WIDTH = 320;
const HEIGHT = 140;
const PAD = 22;

function figure(id: string, title: string, measures: readonly Measure[], days: readonly Day[]): HTMLElement {
  const top = Math.max(1, ...days.flatMap((day) => measures.map((measure) => day[measure])));
  const slot = (WIDTH - PAD) / Math.max(1, days.length);
  const barWidth = Math.max(1, (slot - 2) / measures.length);
  const bars = days.flatMap((day, d) =>
    measures.map((measure, m) => {
      const height = ((HEIGHT - PAD) * day[measure]) / top;
      return svg('rect', {
        class: `bar bar-${m}`,
        x: (PAD + d * slot + m * barWidth).toFixed(1),
        y: (HEIGHT - PAD - height).toFixed(1),
        width: barWidth.toFixed(1),
        height: height.toFixed(1),
      });
    }),
  );
  const totals = measures.map(
    (measure) => `${MEASURE_NAMES[measure]} ${days.reduce((sum, day) => sum + day[measure], 0)}`,
  );
  const chart = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-labelledby': `${id}-title`,
      'aria-describedby': `${id}-table`,
    },
    svg('title', { id: `${id}-title` }, `${title}: ${totals.join(', ')} over ${days.length} days`),
    svg('line', { class: 'axis', x1: PAD, y1: HEIGHT - PAD, x2: WIDTH, y2: HEIGHT - PAD }),
    svg('text', { x: 0, y: 10 }, String(top)),
    svg('text', { x: 0, y: HEIGHT - PAD }, '0'),
    svg('text', { x: PAD, y: HEIGHT - 6 }, days[0]?.date ?? ''),
    svg('text', { x: WIDTH, y: HEIGHT - 6, 'text-anchor': 'end' }, days.at(-1)?.date ?? ''),
    ...bars,
  );
  const table = h(
    'table',
    { id: `${id}-table` },
    h('caption', {}, `${title}, by day`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Day'),
        ...measures.map((measure) => h('th', { scope: 'col', class: 'number' }, MEASURE_NAMES[measure])),
      ),
    ),
    h(
      'tbody',
      {},
      ...days.map((day) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, day.date),
          ...measures.map((measure) => h('td', { class: 'number' }, day[measure])),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { 'aria-labelledby': `${id}-caption` },
    h('figcaption', { id: `${id}-caption` }, title, measures.length > 1 ? legend(measures) : null),
    chart,
    h('details', {}, h('summary', {}, `${title} as a table`), table),
  );
}

function legend(measures: readonly Measure[]): HTMLElement {
  return h(
    'span',
    { class: 'legend' },
    ...measures.map((measure, m) => h('span', { class: `key key-${m}` }, MEASURE_NAMES[measure])),
  );
}
