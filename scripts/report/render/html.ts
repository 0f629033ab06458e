import { inlines, type Block, type Text } from './document';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

const renderText = (text: Text): string =>
  inlines(text)
    .map((inline) =>
      typeof inline === 'string' ? escapeHtml(inline) : `<code>${escapeHtml(inline.code)}</code>`,
    )
    .join('');

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level}>${renderText(block.text)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${renderText(block.text)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${renderText(item)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const cells = (tag: 'th' | 'td', texts: readonly Text[]) =>
        `<tr>${texts.map((text) => `<${tag}>${renderText(text)}</${tag}>`).join('')}</tr>`;
      return [
        '<table>',
        `<thead>${cells('th', block.headers)}</thead>`,
        '<tbody>',
        ...block.rows.map((row) => cells('td', row)),
        '</tbody>',
        '</table>',
      ].join('\n');
    }
  }
}

/** Inline styles only: the page must render the same from a file, an artifact store or an air-gapped review. */
const STYLE = `
body { font-family: system-ui, sans-serif; line-height: 1.45; margin: 2rem auto; max-width: 90rem; padding: 0 1rem; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code { font-family: ui-monospace, monospace; font-size: 0.85em; background: #f6f8fa; padding: 0.1rem 0.25rem; border-radius: 4px; overflow-wrap: anywhere; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.3rem; margin-top: 2.5rem; }
`.trim();

/** A self-contained HTML page: no scripts, no external stylesheets, fonts or images. */
export function renderHtml(blocks: readonly Block[], title: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    ...blocks.map(renderBlock),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
