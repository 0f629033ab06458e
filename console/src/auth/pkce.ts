/**
 * The parts of the OAuth 2.0 authorization code flow with PKCE that need care (RFC 6749 §4.1, RFC 7636):
 * a high-entropy code verifier, its S256 challenge, an unguessable state checked on return, and the
 * authorization and token requests. Pure, apart from the Web Crypto API, so that it is unit-tested in Node.
 */

/** RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~]; 32 random octets in base64url make 43. */
const VERIFIER_OCTETS = 32;

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const randomToken = (octets: number): string => base64Url(crypto.getRandomValues(new Uint8Array(octets)));

export const newCodeVerifier = (): string => randomToken(VERIFIER_OCTETS);

/** Binds the authorization response to this browser session (RFC 6749 §10.12). */
export const newState = (): string => randomToken(16);

/** RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))). */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface AuthorizeRequest {
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly codeChallenge: string;
}

export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scopes.join(' '));
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export type CallbackResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Reads the authorization response from the redirect URL's query. A code whose state is not the one this
 * session sent is refused: it may have been injected by someone else (RFC 6749 §10.12).
 */
export function readCallback(search: string, expectedState: string | undefined): CallbackResult {
  const params = new URLSearchParams(search);
  const code = params.get('code');
  const error = params.get('error');
  if (code === null && error === null) return { kind: 'none' };
  if (expectedState === undefined || params.get('state') !== expectedState) {
    return { kind: 'error', message: 'The sign-in response does not belong to this session. Sign in again.' };
  }
  if (error !== null) {
    return { kind: 'error', message: `Sign-in failed: ${params.get('error_description') ?? error}` };
  }
  return { kind: 'code', code: code! };
}

/** The body of the token request that redeems the code with its verifier (RFC 7636 §4.5). */
export function tokenRequestBody(options: {
  readonly clientId: string;
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: options.clientId,
    code: options.code,
    redirect_uri: options.redirectUri,
    code_verifier: options.codeVerifier,
  });
}
