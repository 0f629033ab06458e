/**
 * The retention schedule, drawn at build time from lambdas/domain/retention.ts: the module every TTL, lifecycle
 * rule and docs/retention.md come from, so the console cannot show a schedule the platform does not apply.
 */
import { describePeriod, RETENTION_CATEGORIES } from '../../../lambdas/domain/retention';
import { h } from '../dom';

export function retentionPage(): HTMLElement {
  const columns = ['Data', 'Where', 'Kept for', 'Counted from', 'Legal basis', 'Source'];
  return h(
    'div',
    {},
    h('h1', {}, 'Retention schedule'),
    h(
      'p',
      {},
      'How long optline keeps each kind of data, and why. Past its period, data is deleted; only anonymised ' +
        'daily counts remain.',
    ),
    h(
      'div',
      { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'retention-caption' },
      h(
        'table',
        {},
        h('caption', { id: 'retention-caption' }, 'Retention periods and their sources'),
        h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column)))),
        h(
          'tbody',
          {},
          ...RETENTION_CATEGORIES.map((category) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, category.title),
              h('td', {}, category.store.replace(/`/g, '')),
              h('td', {}, describePeriod(category.period)),
              h('td', {}, category.countedFrom),
              h('td', {}, category.legalBasis),
              h('td', {}, category.source),
            ),
          ),
        ),
      ),
    ),
  );
}
