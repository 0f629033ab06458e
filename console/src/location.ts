/**
 * Where the console is and where its API is. The console lives at `<base>/console/` and the API at
 * `<base>/v1/…`; deployed, `<base>` includes the API Gateway stage (`/prod`), so nothing assumes `/`.
 */

const CONSOLE_SEGMENT = '/console/';

export interface ConsoleLocation {
  /** The API root the typed client takes, without `/v1`: `https://host/prod`. */
  readonly apiBaseUrl: string;
  /** The console's own root path, with the trailing slash: `/prod/console/`. */
  readonly consolePath: string;
  /** The app route below it, without slashes around it: `` or `requests`. */
  readonly route: string;
}

export function consoleLocation(href: string): ConsoleLocation {
  const url = new URL(href);
  const at = `${url.pathname}/`.indexOf(CONSOLE_SEGMENT);
  const prefix = at < 0 ? '' : url.pathname.slice(0, at);
  const consolePath = `${prefix}${CONSOLE_SEGMENT}`;
  const route = url.pathname.slice(consolePath.length).replace(/\/+$/, '');
  return { apiBaseUrl: `${url.origin}${prefix}`, consolePath, route };
}
