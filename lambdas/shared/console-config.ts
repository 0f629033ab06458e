/**
 * `<base>/console/config.json`: how the privacy console signs its users in (DESIGN §11). The local server
 * answers `{mode: 'local'}` (a tenant token typed in); a deployed cell answers with its Cognito managed login,
 * which the console drives with the authorization code flow and PKCE (RFC 7636).
 */

export interface LocalConsoleConfig {
  readonly mode: 'local';
}

export interface CognitoConsoleConfig {
  readonly mode: 'cognito';
  /** The managed login's authorization endpoint (`https://<domain>/oauth2/authorize`). */
  readonly authorizeUrl: string;
  /** The token endpoint; deployed, a same-origin path, so that the page's `connect-src 'self'` holds. */
  readonly tokenUrl: string;
  /** The public app client of the console (no secret: a browser cannot keep one). */
  readonly clientId: string;
  /** Scopes to ask for, such as `openid` and `optline/dsr.manage`. */
  readonly scopes: readonly string[];
  /** Where signing out sends the browser. @default - signing out only forgets the token */
  readonly logoutUrl?: string;
}

export type ConsoleConfig = LocalConsoleConfig | CognitoConsoleConfig;

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Checks a config.json document; returns undefined for anything that is not one of the two shapes. */
export function parseConsoleConfig(json: unknown): ConsoleConfig | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = json as Record<string, unknown>;
  if (value.mode === 'local') return { mode: 'local' };
  if (value.mode !== 'cognito') return undefined;
  const { authorizeUrl, tokenUrl, clientId, scopes, logoutUrl } = value;
  if (!isText(authorizeUrl) || !isText(tokenUrl) || !isText(clientId)) return undefined;
  if (!Array.isArray(scopes) || !scopes.every(isText)) return undefined;
  if (logoutUrl !== undefined && !isText(logoutUrl)) return undefined;
  return {
    mode: 'cognito',
    authorizeUrl,
    tokenUrl,
    clientId,
    scopes,
    ...(logoutUrl === undefined ? {} : { logoutUrl }),
  };
}
