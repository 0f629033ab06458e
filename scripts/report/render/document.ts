/**
 * A small document model between the report and its two formats: the layout is decided once, and the
 * Markdown and HTML renderers only serialise it, each with its own escaping.
 */

/** Plain text, or text shown as code (construct paths, ARNs, rule ids). */
export type Inline = string | { readonly code: string };

export type Text = Inline | readonly Inline[];

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3 | 4; readonly text: Text }
  | { readonly kind: 'paragraph'; readonly text: Text }
  | { readonly kind: 'list'; readonly items: readonly Text[] }
  | {
      readonly kind: 'table';
      readonly headers: readonly string[];
      readonly rows: readonly (readonly Text[])[];
    };

export const code = (text: string): Inline => ({ code: text });

export const inlines = (text: Text): readonly Inline[] =>
  typeof text === 'string' || !Array.isArray(text) ? [text as Inline] : (text as readonly Inline[]);

/** Whitespace runs, including newlines, as one space: neither table cells nor headings may span lines. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ');
