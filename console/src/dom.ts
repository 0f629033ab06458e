/**
 * Building the page from code, with no HTML strings: text is always a text node, so nothing the API returns
 * can become markup, and nothing needs the inline script or style a strict CSP forbids (no `style` attribute
 * either: looks come from the stylesheet, through classes).
 */

export type Child = Node | string | number | null | undefined | false;

type Listener = (event: Event) => void;

export interface Props {
  readonly [attribute: string]: string | number | boolean | undefined | Readonly<Record<string, Listener>>;
}

function apply(element: Element, props: Props, children: readonly Child[]): void {
  for (const [name, value] of Object.entries(props)) {
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value as Record<string, Listener>))
        element.addEventListener(type, listener);
    } else if (name === 'style') {
      throw new Error('style attributes break the Content-Security-Policy: use a class');
    } else if (value === true) {
      element.setAttribute(name, '');
    } else if (value !== false && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, props, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props, children);
  return element;
}

/** A date-time as the reader's locale shows it, in UTC so that every reader sees the same day. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

/** A live region's message: `status` for news, `alert` for failures. */
export function announce(region: HTMLElement, message: string, kind: 'ok' | 'error' = 'ok'): void {
  region.className = kind === 'error' ? 'notice notice-error' : 'notice';
  region.textContent = message;
}
