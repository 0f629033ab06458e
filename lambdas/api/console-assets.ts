/**
 * Serving the privacy console's built files (DESIGN §11): from a path under `<base>/console/` to a response.
 * Pure: the files come in as a map, so the local server (which reads them from console/dist) and a Lambda
 * function of a cell (which bundles them) answer the same way.
 *
 * - `config.json` is the sign-in config, never cached.
 * - Files under `assets/` have content hashes in their names, so they are cached for a year.
 * - Any other path without a file extension is a route of the single-page app and gets index.html.
 * Every answer carries the strict Content-Security-Policy and the other security headers.
 */
import type { ConsoleConfig } from '../shared/console-config';

export interface ConsoleResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The built console: file paths relative to its root (`index.html`, `assets/index-3f2a.js`) → contents. */
export type ConsoleFiles = ReadonlyMap<string, Uint8Array>;

/**
 * Only the console's own files and the API of the same origin; no inline script or style, no plug-ins, no
 * framing. `data:` images are for SVG the browser renders itself (none are fetched).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets, so it is checked with the server on every load. */
const REVALIDATE = 'no-cache';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function answer(statusCode: number, headers: Record<string, string>, body: Uint8Array): ConsoleResponse {
  return { statusCode, headers: { ...CONSOLE_SECURITY_HEADERS, ...headers }, body };
}

const plain = (statusCode: number, message: string, extra: Record<string, string> = {}): ConsoleResponse =>
  answer(
    statusCode,
    { 'content-type': CONTENT_TYPES.txt!, 'cache-control': 'no-store', ...extra },
    text(`${message}\n`),
  );

const extensionOf = (path: string): string | undefined => path.match(/\.([a-z0-9]+)$/i)?.[1]?.toLowerCase();

/**
 * @param method the HTTP method; only GET and HEAD are served (HEAD gets GET's headers and no body)
 * @param path the part of the URL path after `/console/`, still percent-encoded; `undefined` for `/console`
 *   itself, which is redirected to `/console/` so that the page's relative asset paths resolve
 */
export function consoleResponse(
  method: string,
  path: string | undefined,
  files: ConsoleFiles,
  config: ConsoleConfig,
): ConsoleResponse {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed', { allow: 'GET, HEAD' });
  // Relative, so it resolves under a deployed stage path as well as at the root.
  if (path === undefined) return plain(308, 'Moved to console/', { location: 'console/' });
  const response = get(path, files, config);
  return method === 'HEAD' ? { ...response, body: new Uint8Array() } : response;
}

function get(path: string, files: ConsoleFiles, config: ConsoleConfig): ConsoleResponse {
  if (path === 'config.json') {
    return answer(
      200,
      { 'content-type': CONTENT_TYPES.json!, 'cache-control': 'no-store' },
      text(JSON.stringify(config)),
    );
  }
  // Only plain file names are looked up: no `..`, no encoded separators, nothing outside the map anyway.
  const extension = extensionOf(path);
  if (extension === undefined) {
    const index = files.get('index.html');
    if (!index) return plain(503, 'The console is not built: run npm run build:console');
    return answer(200, { 'content-type': CONTENT_TYPES.html!, 'cache-control': REVALIDATE }, index);
  }
  const file = /^[\w.-]+(\/[\w.-]+)*$/.test(path) && !path.includes('..') ? files.get(path) : undefined;
  if (!file) return plain(404, 'Not found');
  return answer(
    200,
    {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'cache-control': path.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    },
    file,
  );
}
