import { inlines, oneLine, type Block, type Inline, type Text } from './document';

/**
 * Characters Markdown could read as formatting, links, HTML or table structure. CommonMark lets any ASCII
 * punctuation be escaped with a backslash, so escaping them always shows them literally.
 */
const SPECIAL = /[\\`*_[\]<>|~&#]/g;

function renderInline(inline: Inline, inTable: boolean): string {
  if (typeof inline === 'string') return oneLine(inline).replace(SPECIAL, (c) => `\\${c}`);
  // GFM splits table cells on `|` even inside code spans; there, and only there, `\|` stands for `|`.
  const text = inTable ? oneLine(inline.code).replace(/\|/g, '\\|') : oneLine(inline.code);
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = longestRun > 0 || text.startsWith(' ') || text.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const renderText = (text: Text, inTable = false): string =>
  inlines(text)
    .map((inline) => renderInline(inline, inTable))
    .join('');

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${renderText(block.text)}`;
    case 'paragraph':
      return renderText(block.text);
    case 'list':
      return block.items.map((item) => `- ${renderText(item)}`).join('\n');
    case 'table': {
      const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
      return [
        row(block.headers.map((header) => renderText(header, true))),
        row(block.headers.map(() => '---')),
        ...block.rows.map((cells) => row(cells.map((cell) => renderText(cell, true)))),
      ].join('\n');
    }
  }
}

/** GitHub-flavoured Markdown, one blank line between blocks, ending in a newline. */
export function renderMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(renderBlock).join('\n\n')}\n`;
}
