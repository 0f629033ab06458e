import { code, type Block, type Inline, type Text } from './document';

/** Constructors and cell formats shared by the layout modules. */

export const heading = (level: 1 | 2 | 3 | 4, text: Text): Block => ({ kind: 'heading', level, text });

export const paragraph = (text: Text): Block => ({ kind: 'paragraph', text });

export const list = (items: readonly Text[]): Block => ({ kind: 'list', items });

export const table = (headers: readonly string[], rows: readonly (readonly Text[])[]): Block => ({
  kind: 'table',
  headers,
  rows,
});

/** A table, or a sentence saying there is nothing to list: an empty table reads as a rendering bug. */
export const tableOr = (
  empty: string,
  headers: readonly string[],
  rows: readonly (readonly Text[])[],
): Block => (rows.length === 0 ? paragraph(empty) : table(headers, rows));

export const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

export const days = (value: number | undefined, none: string): string =>
  value === undefined ? none : `${value} ${value === 1 ? 'day' : 'days'}`;

/** Code spans separated by commas. */
export const joined = (items: readonly string[]): Inline[] =>
  items.flatMap((item, i) => (i === 0 ? [code(item)] : [', ', code(item)]));
