/**
 * The signed-in session lives in sessionStorage: it ends with the tab and is never written to localStorage,
 * so a token does not outlive the browser session or leak to other tabs (DESIGN §11).
 */
const TOKEN_KEY = 'optline.console.token';
const PKCE_KEY = 'optline.console.pkce';

export const currentToken = (): string | undefined => sessionStorage.getItem(TOKEN_KEY) ?? undefined;
export const keepToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

/** What the authorization request leaves behind for its callback: the state to check, the verifier to send. */
export interface PendingSignIn {
  readonly state: string;
  readonly codeVerifier: string;
}

export function keepPendingSignIn(pending: PendingSignIn): void {
  sessionStorage.setItem(PKCE_KEY, JSON.stringify(pending));
}

/** Reads and removes it: a state and verifier are good for one callback only. */
export function takePendingSignIn(): PendingSignIn | undefined {
  const json = sessionStorage.getItem(PKCE_KEY);
  sessionStorage.removeItem(PKCE_KEY);
  if (!json) return undefined;
  try {
    const value = JSON.parse(json) as Partial<PendingSignIn>;
    return typeof value.state === 'string' && typeof value.codeVerifier === 'string'
      ? { state: value.state, codeVerifier: value.codeVerifier }
      : undefined;
  } catch {
    return undefined;
  }
}
