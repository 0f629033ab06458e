import { format, resolveConfig } from 'prettier';
import type { HtmlFormatter } from './write';

/** The HTML as `prettier --write` would leave it at `path`, with the repository's prettier settings. */
export const prettierHtml: HtmlFormatter = async (html, path) =>
  format(html, { ...((await resolveConfig(path)) ?? {}), filepath: path });
