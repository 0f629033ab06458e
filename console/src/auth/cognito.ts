/** The deployed sign-in: Cognito managed login, authorization code with PKCE (RFC 7636). */
import type { CognitoConsoleConfig } from '../../../lambdas/shared/console-config';
import {
  authorizeUrl,
  newCodeVerifier,
  newState,
  readCallback,
  s256Challenge,
  tokenRequestBody,
} from './pkce';
import { keepPendingSignIn, keepToken, takePendingSignIn } from './session';

/** Sends the browser to the managed login; it comes back to the console root with `?code&state`. */
export async function startCognitoSignIn(config: CognitoConsoleConfig, redirectUri: string): Promise<void> {
  const codeVerifier = newCodeVerifier();
  const state = newState();
  keepPendingSignIn({ state, codeVerifier });
  window.location.assign(
    authorizeUrl({
      authorizeUrl: config.authorizeUrl,
      clientId: config.clientId,
      redirectUri,
      scopes: config.scopes,
      state,
      codeChallenge: await s256Challenge(codeVerifier),
    }),
  );
}

/**
 * On the way back from the managed login: checks the state, redeems the code with the verifier and keeps
 * the access token. Returns an error message to show, or undefined when there was no callback or it worked.
 */
export async function finishCognitoSignIn(
  config: CognitoConsoleConfig,
  redirectUri: string,
): Promise<string | undefined> {
  const pending = takePendingSignIn();
  const callback = readCallback(window.location.search, pending?.state);
  if (callback.kind === 'none') return undefined;
  // The code is single-use and must not stay in the address bar or the history.
  window.history.replaceState(null, '', redirectUri);
  if (callback.kind === 'error') return callback.message;
  const response = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({
      clientId: config.clientId,
      code: callback.code,
      redirectUri,
      codeVerifier: pending!.codeVerifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown };
  if (!response.ok || typeof body.access_token !== 'string') return 'Sign-in failed: no token was issued.';
  keepToken(body.access_token);
  return undefined;
}
